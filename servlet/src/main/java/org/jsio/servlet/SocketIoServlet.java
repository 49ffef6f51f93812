package org.jsio.servlet;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.util.Objects;
import org.jsio.engine.EngineServer;
import org.jsio.socketio.SocketIoServer;

/**
 * Serves an Engine.IO endpoint (and so the Socket.IO server built on it) from a servlet
 * container: HTTP long-polling requests and WebSocket upgrades both arrive here and are handed to
 * {@link EngineServer#handleRequest}.
 *
 * <p><b>The servlet must be registered as async-supported</b>, and so must every filter in front
 * of it: a long-polling GET is held with {@code startAsync()} rather than on a thread. In code,
 * {@code registration.setAsyncSupported(true)}; in {@code web.xml},
 * {@code <async-supported>true</async-supported>}. WebSocket upgrades need the container's
 * Jakarta WebSocket support (the {@code jakarta.websocket.server.ServerContainer} context
 * attribute).
 *
 * <p>Map it to the Socket.IO path with a wildcard, for example {@code /socket.io/*}.
 *
 * <p>Ways to build it:
 * <ul>
 *   <li>{@link #SocketIoServlet(SocketIoServer)} or {@link #SocketIoServlet(EngineServer)} (a raw
 *       Engine.IO server) in code; the caller keeps ownership of the server and closes it;</li>
 *   <li>the no-argument constructor from {@code web.xml}, with the init-param {@value #FACTORY_PARAM}
 *       naming a {@link SocketIoServerFactory} (or an {@link EngineServerFactory}); that server is
 *       closed by {@link #destroy()}.</li>
 * </ul>
 */
public class SocketIoServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    /**
     * The init-param naming the {@link SocketIoServerFactory} or {@link EngineServerFactory} class
     * (no-argument constructor).
     */
    public static final String FACTORY_PARAM = "factory";

    private transient volatile EngineServer engine;
    private transient AutoCloseable owned;

    /** A servlet serving a Socket.IO server, which the caller owns and closes. */
    public SocketIoServlet(SocketIoServer server) {
        this(Objects.requireNonNull(server, "server").engine());
    }

    /** A servlet serving a raw Engine.IO server, which the caller owns and closes. */
    public SocketIoServlet(EngineServer engine) {
        this.engine = Objects.requireNonNull(engine, "engine");
    }

    /**
     * A servlet for {@code web.xml}: {@link #init()} builds its server with the factory named by
     * the {@value #FACTORY_PARAM} init-param.
     */
    public SocketIoServlet() {
    }

    /** The engine this servlet serves ({@code null} before {@link #init()} for web.xml servlets). */
    public EngineServer engine() {
        return engine;
    }

    @Override
    public void init() throws ServletException {
        if (engine != null) {
            return;
        }
        String className = getInitParameter(FACTORY_PARAM);
        if (className == null || className.isBlank()) {
            throw new ServletException(getServletName() + ": no server; set the init-param '" + FACTORY_PARAM
                    + "' to a class implementing " + SocketIoServerFactory.class.getName());
        }
        Object factory = instantiate(className.trim());
        AutoCloseable created;
        EngineServer createdEngine;
        try {
            if (factory instanceof SocketIoServerFactory) {
                SocketIoServer server = ((SocketIoServerFactory) factory).create(getServletConfig());
                created = server;
                createdEngine = server == null ? null : server.engine();
            } else {
                createdEngine = ((EngineServerFactory) factory).create(getServletConfig());
                created = createdEngine;
            }
        } catch (Exception e) {
            throw new ServletException(getServletName() + ": " + className + " failed to create the server", e);
        }
        if (createdEngine == null) {
            throw new ServletException(getServletName() + ": " + className + " returned no server");
        }
        owned = created;
        engine = createdEngine;
    }

    private Object instantiate(String className) throws ServletException {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) {
            loader = SocketIoServlet.class.getClassLoader();
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

    /** Hands every request, whatever its method, to the engine. */
    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        EngineServer e = engine;
        if (e == null) {
            response.sendError(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
            return;
        }
        e.handleRequest(new ServletHttpExchange(request, response));
    }

    /** Closes the server if this servlet created it through the factory; a given server stays open. */
    @Override
    public void destroy() {
        AutoCloseable o = owned;
        if (o != null) {
            try {
                o.close();
            } catch (Exception e) {
                log("closing the Socket.IO server failed", e);
            }
            owned = null;
            engine = null;
        }
        super.destroy();
    }
}
