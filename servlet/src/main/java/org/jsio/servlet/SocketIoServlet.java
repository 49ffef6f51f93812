package org.jsio.servlet;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
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
 * {@code <async-supported>true</async-supported>}. A request that arrives without async support
 * is answered {@code 500} with a JSON body naming the setting, and the first one is logged as an
 * ERROR. WebSocket upgrades go through Jetty's WebSocket core on Jetty 12 (see
 * {@link #JETTY_CORE_PARAM}), which needs only Jetty's WebSocket jars on the class path, and through
 * the Servlet API's own HTTP upgrade on other containers such as Tomcat (see
 * {@link #SERVLET_UPGRADE_PARAM}), which needs nothing more. Where both are switched off or
 * unavailable, they need the container's Jakarta WebSocket support (the
 * {@code jakarta.websocket.server.ServerContainer} context attribute); without it,
 * {@link #init()} logs a warning naming what to enable, long-polling still works and upgrade
 * requests are answered {@code 400}, so clients stay on long-polling.
 *
 * <p>Map it to the Socket.IO path with a wildcard, for example {@code /socket.io/*}. To put
 * Socket.IO (and static files) in front of an existing web application on {@code /*} instead, use
 * {@link SocketIoFilter}.
 *
 * <p>Ways to build it:
 * <ul>
 *   <li>{@link #SocketIoServlet(SocketIoServer)} or {@link #SocketIoServlet(EngineServer)} (a raw
 *       Engine.IO server) in code; the caller keeps ownership of the server and closes it;</li>
 *   <li>the no-argument constructor from {@code web.xml}, with the init-param {@value #FACTORY_PARAM}
 *       naming a {@link SocketIoServerFactory} (or an {@link EngineServerFactory}); that server is
 *       closed by {@link #destroy()};</li>
 *   <li>with no {@code web.xml} entry: {@link SocketIoInitializer} registers one for each factory
 *       marked {@link SocketIoMapping} or named by the {@value SocketIoInitializer#FACTORY_CONTEXT_PARAM}
 *       context-param, as if declared with the init-param.</li>
 * </ul>
 */
public class SocketIoServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    /**
     * The init-param naming the {@link SocketIoServerFactory} or {@link EngineServerFactory} class
     * (no-argument constructor).
     */
    public static final String FACTORY_PARAM = EngineBinding.FACTORY_PARAM;

    /**
     * The init-param that, set to {@code false}, makes this servlet upgrade WebSockets through the
     * Jakarta WebSocket API even on Jetty 12, where by default it uses Jetty's WebSocket core
     * (fewer copies and encodings per message) whenever the web application can see it.
     */
    public static final String JETTY_CORE_PARAM = "jettyCore";

    /**
     * The context-param doing what {@value #JETTY_CORE_PARAM} does for every Socket.IO servlet and
     * filter of the web application that has no such init-param.
     */
    public static final String JETTY_CORE_CONTEXT_PARAM = "org.jsio.servlet.jettyCore";

    /**
     * The init-param that, set to {@code false}, makes this servlet upgrade WebSockets through the
     * container's Jakarta WebSocket API on containers other than Jetty (Tomcat among them), where by
     * default it upgrades them with the Servlet API's own HTTP upgrade and speaks WebSocket itself:
     * no Jakarta WebSocket session per client, and frames sent back to back leave in one write.
     * That way negotiates no extension (no permessage-deflate, the reference server's default too).
     */
    public static final String SERVLET_UPGRADE_PARAM = "servletUpgrade";

    /**
     * The context-param doing what {@value #SERVLET_UPGRADE_PARAM} does for every Socket.IO servlet
     * and filter of the web application that has no such init-param.
     */
    public static final String SERVLET_UPGRADE_CONTEXT_PARAM = "org.jsio.servlet.servletUpgrade";

    private transient volatile EngineBinding binding;

    /** A servlet serving a Socket.IO server, which the caller owns and closes. */
    public SocketIoServlet(SocketIoServer server) {
        this(Objects.requireNonNull(server, "server").engine());
    }

    /** A servlet serving a raw Engine.IO server, which the caller owns and closes. */
    public SocketIoServlet(EngineServer engine) {
        this.binding = EngineBinding.given(engine);
    }

    /**
     * A servlet for {@code web.xml}: {@link #init()} builds its server with the factory named by
     * the {@value #FACTORY_PARAM} init-param.
     */
    public SocketIoServlet() {
    }

    /** The engine this servlet serves ({@code null} before {@link #init()} for web.xml servlets). */
    public EngineServer engine() {
        EngineBinding b = binding;
        return b == null ? null : b.engine();
    }

    @Override
    public void init() throws ServletException {
        EngineBinding b = binding;
        if (b == null) {
            b = EngineBinding.fromFactory(getServletConfig());
            binding = b;
        }
        b.chooseWebSocketUpgrade(getServletContext(), getInitParameter(JETTY_CORE_PARAM),
                getInitParameter(SERVLET_UPGRADE_PARAM), "servlet " + getServletName());
    }

    /**
     * How this servlet upgrades WebSockets (for tests): "jetty-core", "servlet-upgrade" or
     * "jakarta"; {@code null} before {@link #init()}.
     */
    String webSocketPath() {
        EngineBinding b = binding;
        return b == null ? null : b.webSocketPath();
    }

    /** Hands every request, whatever its method, to the engine. */
    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        EngineBinding b = binding;
        if (b == null) {
            response.sendError(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
            return;
        }
        b.handle(request, response, "servlet " + getServletName());
    }

    /**
     * Closes the server if this servlet created it through the factory (a given server stays
     * open), then ends the threads that were closing its WebSockets, once they are done.
     */
    @Override
    public void destroy() {
        EngineBinding b = binding;
        if (b != null && b.owned()) {
            binding = null;
            b.close();
        }
        EngineBinding.stopThreads(getServletConfig() == null ? "servlet" : "servlet " + getServletName());
        super.destroy();
    }
}
