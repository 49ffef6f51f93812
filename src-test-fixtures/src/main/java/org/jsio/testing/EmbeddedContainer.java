package org.jsio.testing;

import jakarta.servlet.http.HttpServlet;
import java.util.Locale;

/**
 * An embedded servlet container for tests: Jetty 12 (ee10) or Tomcat 10.1 or 11, serving servlets
 * mounted in one root context, both able to upgrade Socket.IO's WebSockets: Tomcat through the
 * Servlet API's upgrade (its Jakarta WebSocket support in the {@value #TOMCAT_JAKARTA} kind),
 * Jetty through its WebSocket core (without its Jakarta layer; the {@value #JETTY_JAKARTA} kind
 * has it, see {@link EmbeddedJetty#jakartaWebSocket}).
 *
 * <pre>{@code
 * try (EmbeddedContainer c = EmbeddedContainer.create("jetty")) {
 *     c.mount("/socket.io/*", new SocketIoServlet(engine)).start(0);
 *     URI uri = URI.create(c.baseUrl() + "/socket.io/?EIO=4&transport=polling");
 *     ...
 * }
 * }</pre>
 */
public interface EmbeddedContainer extends AutoCloseable {

    /** The containers {@link #create} starts. */
    String[] KINDS = {"jetty", "tomcat"};

    /**
     * Jetty with its Jakarta WebSocket support and the context-param
     * {@code org.jsio.servlet.jettyCore=false}: the Socket.IO servlets upgrade WebSockets through
     * the Jakarta WebSocket API, as on a Jetty that hides its WebSocket core from web applications.
     */
    String JETTY_JAKARTA = "jetty-jakarta";

    /**
     * Tomcat with the context-param {@code org.jsio.servlet.servletUpgrade=false}: the Socket.IO
     * servlets upgrade WebSockets through Tomcat's Jakarta WebSocket support instead of the
     * Servlet API's upgrade.
     */
    String TOMCAT_JAKARTA = "tomcat-jakarta";

    /**
     * Undertow ({@link EmbeddedUndertow}), a container that is neither Jetty nor Tomcat: the
     * Socket.IO servlets upgrade WebSockets with the Servlet API, as on Tomcat, with none of the
     * Tomcat-specific handling.
     */
    String UNDERTOW = "undertow";

    /**
     * {@link #KINDS}, {@value #JETTY_JAKARTA}, {@value #TOMCAT_JAKARTA} and {@value #UNDERTOW}: for
     * tests of the WebSocket transport, which takes another path through each container when its
     * default way is switched off, and through a container that is neither Jetty nor Tomcat.
     */
    String[] WEBSOCKET_KINDS = {"jetty", JETTY_JAKARTA, "tomcat", TOMCAT_JAKARTA, UNDERTOW};

    /**
     * A new, unstarted container.
     *
     * @param kind {@code "jetty"}, {@code "tomcat"}, {@value #JETTY_JAKARTA}, {@value #TOMCAT_JAKARTA}
     *     or {@value #UNDERTOW}
     *     (case-insensitive)
     */
    static EmbeddedContainer create(String kind) {
        switch (kind.toLowerCase(Locale.ROOT)) {
            case "jetty":
                return new EmbeddedJetty();
            case JETTY_JAKARTA:
                return new EmbeddedJetty().jakartaWebSocket(true).contextParameter("org.jsio.servlet.jettyCore", "false");
            case "tomcat":
                return new EmbeddedTomcat();
            case TOMCAT_JAKARTA:
                return new EmbeddedTomcat().contextParameter("org.jsio.servlet.servletUpgrade", "false");
            case UNDERTOW:
                return new EmbeddedUndertow();
            default:
                throw new IllegalArgumentException("unknown container '" + kind + "': use jetty, tomcat, "
                        + JETTY_JAKARTA + ", " + TOMCAT_JAKARTA + " or " + UNDERTOW);
        }
    }

    /** {@code "jetty"} or {@code "tomcat"}. */
    String kind();

    /**
     * Registers {@code servlet} (async-supported) under a servlet path spec such as
     * {@code "/socket.io/*"}. Only before {@link #start}.
     */
    EmbeddedContainer mount(String pathSpec, HttpServlet servlet);

    /**
     * Starts listening on {@code host} ({@code 127.0.0.1} for tests) and {@code port} (0 picks a
     * free port; read it back with {@link #port()}).
     */
    EmbeddedContainer start(String host, int port) throws Exception;

    /** Starts listening on {@code 127.0.0.1:port} (0 picks a free port). */
    default EmbeddedContainer start(int port) throws Exception {
        return start("127.0.0.1", port);
    }

    /** The port the container listens on; only after {@link #start}. */
    int port();

    /** {@code http://127.0.0.1:<port>}, without a trailing slash. */
    default String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    /** Stops the container and waits for its threads; safe to call more than once. */
    @Override
    void close();
}
