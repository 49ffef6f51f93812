package org.jsio.servlet;

import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jsio.engine.EngineOptions;
import org.jsio.engine.EngineServer;
import org.jsio.socketio.SocketIoServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine that a {@link SocketIoServlet} or a {@link SocketIoFilter} serves, and the one way
 * both hand it a request. The engine is either given in code (its caller keeps it and closes it)
 * or built from the {@value #FACTORY_PARAM} init-param (then {@link #close()} closes it).
 */
final class EngineBinding {
    private static final Logger LOG = LoggerFactory.getLogger(EngineBinding.class);

    /** The init-param naming a {@link SocketIoServerFactory} or {@link EngineServerFactory} class. */
    static final String FACTORY_PARAM = "factory";

    /** What a request that is not async-supported is told, and what the log says about it. */
    static final String NOT_ASYNC_MESSAGE = "Socket.IO needs asynchronous requests: set "
            + "<async-supported>true</async-supported> (or setAsyncSupported(true)) on the SocketIoServlet or "
            + "SocketIoFilter and on every filter in front of it";

    private final EngineServer engine;
    private final AutoCloseable owned;
    private final AtomicBoolean notAsyncLogged = new AtomicBoolean();
    /** How WebSocket upgrades are done: Jetty's WebSocket core, or null for the Jakarta API. */
    private volatile WebSocketUpgrade webSocketUpgrade;
    /**
     * Whether held polls are answered with non-blocking output from the producing thread (on
     * Jetty) rather than on a container thread; decided when the servlet or filter starts.
     */
    private volatile boolean nonBlockingHeldAnswers;
    private volatile boolean tomcatExecutor;

    private EngineBinding(EngineServer engine, AutoCloseable owned) {
        this.engine = engine;
        this.owned = owned;
    }

    /** A binding to an engine that its caller owns. */
    static EngineBinding given(EngineServer engine) {
        return new EngineBinding(Objects.requireNonNull(engine, "engine"), null);
    }

    /**
     * Builds the engine with the factory class that {@code config}'s {@value #FACTORY_PARAM}
     * init-param names; the binding owns it.
     *
     * @param config the servlet's configuration, or a filter's seen as one (its name, context and
     *     init-params)
     */
    static EngineBinding fromFactory(ServletConfig config) throws ServletException {
        String name = config.getServletName();
        String className = config.getInitParameter(FACTORY_PARAM);
        if (className == null || className.isBlank()) {
            throw new ServletException(name + ": no server; set the init-param '" + FACTORY_PARAM
                    + "' to a class implementing " + SocketIoServerFactory.class.getName());
        }
        Object factory = instantiate(className.trim());
        AutoCloseable created;
        EngineServer engine;
        try {
            if (factory instanceof SocketIoServerFactory) {
                SocketIoServer server = ((SocketIoServerFactory) factory).create(config);
                created = server;
                engine = server == null ? null : server.engine();
            } else {
                engine = ((EngineServerFactory) factory).create(config);
                created = engine;
            }
        } catch (Exception e) {
            throw new ServletException(name + ": " + className + " failed to create the server", e);
        }
        if (engine == null) {
            throw new ServletException(name + ": " + className + " returned no server");
        }
        return new EngineBinding(engine, created);
    }

    private static Object instantiate(String className) throws ServletException {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) {
            loader = EngineBinding.class.getClassLoader();
        }
        try {
            Class<?> type = Class.forName(className, true, loader);
            if (!SocketIoServerFactory.class.isAssignableFrom(type) && !EngineServerFactory.class.isAssignableFrom(type)) {
                throw new ServletException(className + " implements neither " + SocketIoServerFactory.class.getName()
                        + " nor " + EngineServerFactory.class.getName());
            }
            return type.getDeclaredConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            throw new ServletException("engine factory class not found: " + className, e);
        } catch (NoSuchMethodException | InstantiationException | IllegalAccessException e) {
            throw new ServletException(className + " needs a public no-argument constructor", e);
        } catch (InvocationTargetException e) {
            throw new ServletException(className + " constructor failed", e.getCause());
        }
    }

    /** The engine requests go to. */
    EngineServer engine() {
        return engine;
    }

    /**
     * Hands one request under the Engine.IO path (polling or WebSocket upgrade) to the engine; a
     * request that is not async-supported (the servlet, the filter or a filter in front of them
     * lacks {@code <async-supported>true</async-supported>}) is answered 500 with a JSON body
     * saying so, and the first one is logged as an ERROR, instead of a long-poll that could never
     * be held.
     *
     * @param who the servlet or filter, for the log
     */
    void handle(HttpServletRequest request, HttpServletResponse response, String who) throws IOException {
        if (!request.isAsyncSupported()) {
            refuseNotAsync(request, response, who);
            return;
        }
        engine.handleRequest(new ServletHttpExchange(request, response, webSocketUpgrade, nonBlockingHeldAnswers,
                tomcatExecutor));
    }

    /**
     * Chooses once, when the servlet or filter starts, how its WebSocket upgrades are done, and
     * logs the choice at INFO: through Jetty 12's WebSocket core when it can, unless switched off
     * by {@code jettyCore} (else the context-param {@value SocketIoServlet#JETTY_CORE_CONTEXT_PARAM});
     * on any other container, with the Servlet API's HTTP upgrade, unless switched off by
     * {@code servletUpgrade} (else the context-param
     * {@value SocketIoServlet#SERVLET_UPGRADE_CONTEXT_PARAM}); else through the Jakarta WebSocket
     * API. Also chooses how held polls are answered: on Jetty, with non-blocking output by the
     * thread that has the data; elsewhere, on a container thread. And on Tomcat, offers the
     * engine the connector's executor for the handlers of what a request brings
     * ({@link TomcatExecutors}).
     *
     * @param jettyCore the servlet's or filter's {@value SocketIoServlet#JETTY_CORE_PARAM}
     *     init-param, or {@code null}
     * @param servletUpgrade the servlet's or filter's {@value SocketIoServlet#SERVLET_UPGRADE_PARAM}
     *     init-param, or {@code null}
     * @param who the servlet or filter, for the log
     */
    void chooseWebSocketUpgrade(ServletContext context, String jettyCore, String servletUpgrade, String who)
            throws ServletException {
        nonBlockingHeldAnswers = context != null && isContainer(context, "jetty");
        tomcatExecutor = context != null && isContainer(context, "tomcat");
        if (context == null || !engine.options().transports().contains(EngineOptions.Transport.WEBSOCKET)) {
            webSocketUpgrade = null;
            return;
        }
        boolean core = flag(context, jettyCore, SocketIoServlet.JETTY_CORE_PARAM,
                SocketIoServlet.JETTY_CORE_CONTEXT_PARAM, who);
        boolean upgrade = flag(context, servletUpgrade, SocketIoServlet.SERVLET_UPGRADE_PARAM,
                SocketIoServlet.SERVLET_UPGRADE_CONTEXT_PARAM, who);
        WebSocketUpgrade chosen = JettyWebSockets.choose(context, core, who);
        if (chosen == null && upgrade && !isContainer(context, "jetty")) {
            chosen = new ServletUpgrade();
            LOG.info("{}: WebSocket through the Servlet API's HTTP upgrade", who);
        } else if (chosen == null) {
            LOG.info("{}: WebSocket through the Jakarta WebSocket API", who);
            warnIfNoWebSocket(context, engine, who);
        }
        webSocketUpgrade = chosen;
    }

    /** An init-param, else the context-param, read as true (the default) or false. */
    private static boolean flag(ServletContext context, String initParameter, String initName, String contextName,
            String who) throws ServletException {
        String value = initParameter;
        String name = initName;
        if (value == null || value.isBlank()) {
            value = context.getInitParameter(contextName);
            name = contextName;
        }
        if (value == null || value.isBlank() || value.trim().equalsIgnoreCase("true")) {
            return true;
        } else if (value.trim().equalsIgnoreCase("false")) {
            return false;
        }
        throw new ServletException(who + ": " + name + " must be true or false, not '" + value + "'");
    }

    /**
     * Whether the container's server info names {@code name} (lower case): Jetty, whose WebSockets
     * go through its WebSocket core or its Jakarta layer rather than the Servlet API's upgrade;
     * Tomcat, whose upgraded streams honour a write's offset and length.
     */
    static boolean isContainer(ServletContext context, String name) {
        String info = context.getServerInfo();
        return info != null && info.toLowerCase(Locale.ROOT).contains(name);
    }

    /** How WebSocket upgrades are done (for tests): "jetty-core", "servlet-upgrade" or "jakarta". */
    String webSocketPath() {
        WebSocketUpgrade u = webSocketUpgrade;
        return u == null ? "jakarta" : u instanceof ServletUpgrade ? "servlet-upgrade" : "jetty-core";
    }

    private void refuseNotAsync(HttpServletRequest request, HttpServletResponse response, String who)
            throws IOException {
        if (notAsyncLogged.compareAndSet(false, true)) {
            LOG.error("{}: {} {} refused with 500. {}. Later requests are refused the same way (logged at DEBUG).",
                    who, request.getMethod(), request.getRequestURI(), NOT_ASYNC_MESSAGE);
        } else {
            LOG.debug("{}: {} {} refused: not async-supported", who, request.getMethod(), request.getRequestURI());
        }
        if (response.isCommitted()) {
            return;
        }
        byte[] body = ("{\"code\":500,\"message\":\"" + NOT_ASYNC_MESSAGE + "\"}").getBytes(StandardCharsets.UTF_8);
        response.reset();
        response.setStatus(HttpServletResponse.SC_INTERNAL_SERVER_ERROR);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    /**
     * Logs a warning when the engine offers WebSocket but the web application has no Jakarta
     * WebSocket container to upgrade with (and the upgrade is not done through Jetty's WebSocket
     * core or the Servlet API's upgrade, which need none). Long-polling is still served;
     * WebSocket upgrade requests are then refused with the engine's
     * {@code 400 {"code":3,"message":"Bad request"}}, so the official clients stay on
     * long-polling (a client limited to WebSocket cannot connect).
     *
     * @param who the servlet or filter, for the message
     */
    private static void warnIfNoWebSocket(ServletContext context, EngineServer engine, String who) {
        if (context == null || !engine.options().transports().contains(EngineOptions.Transport.WEBSOCKET)
                || context.getAttribute(ServletHttpExchange.SERVER_CONTAINER_ATTRIBUTE) != null) {
            return;
        }
        LOG.warn("{}: this web application has no Jakarta WebSocket support (no servlet context attribute {}), so "
                + "WebSocket upgrades will fail and clients stay on HTTP long-polling. Turn the container's WebSocket "
                + "support on (Tomcat: tomcat-embed-websocket / the websocket jar on the class path and WsSci not "
                + "excluded by containerSciFilter; Jetty 12: the ee10-websocket-jakarta (or ee11) module, or "
                + "JakartaWebSocketServletContainerInitializer.configure(context, null) when embedded), or leave "
                + SocketIoServlet.SERVLET_UPGRADE_PARAM + " on (outside Jetty), or offer "
                + "polling only with transports(Transport.POLLING)", who, ServletHttpExchange.SERVER_CONTAINER_ATTRIBUTE);
    }

    /** Whether the engine was built from the factory (and so is closed by {@link #close()}). */
    boolean owned() {
        return owned != null;
    }

    /**
     * Ends the threads that close WebSockets on the Jakarta API and on Jetty's core, once the
     * closes under way are done ({@link EndpointConnection#stopClosers()}), so that a web
     * application that stops leaves none behind; logs a close that did not finish in time.
     *
     * @param who the servlet or filter being destroyed, for the log
     */
    static void stopThreads(String who) {
        if (!EndpointConnection.stopClosers()) {
            LOG.warn("{}: WebSocket closes still unfinished after {} ms were interrupted", who,
                    EndpointConnection.STOP_WAIT_MILLIS);
        }
    }

    /** Closes the engine if this binding built it; an engine given in code stays open. */
    void close() {
        if (owned != null) {
            try {
                owned.close();
            } catch (Exception e) {
                LOG.error("closing the Socket.IO server failed", e);
            }
        }
    }
}
