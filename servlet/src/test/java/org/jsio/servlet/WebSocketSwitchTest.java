package org.jsio.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import java.lang.reflect.Proxy;
import java.util.Map;
import org.jsio.engine.EngineOptions;
import org.jsio.socketio.SocketIoServer;
import org.junit.jupiter.api.Test;

/**
 * The WebSocket switches outside a running container: a wrong value is refused with a message
 * naming the parameter; a context that is not Jetty's upgrades with the Servlet API unless that is
 * switched off (with the Jetty classes on the class path, as here), and Jetty without its
 * WebSocket core gets the Jakarta API.
 */
class WebSocketSwitchTest {

    /** A servlet context that only answers context-params (other calls return null). */
    private static ServletContext context(Map<String, String> params) {
        return (ServletContext) Proxy.newProxyInstance(WebSocketSwitchTest.class.getClassLoader(),
                new Class<?>[] {ServletContext.class},
                (proxy, method, args) -> "getInitParameter".equals(method.getName()) ? params.get((String) args[0]) : null);
    }

    @Test
    void aValueOtherThanTrueOrFalseIsRefused() {
        try (SocketIoServer server = SocketIoServer.builder().build()) {
            EngineBinding binding = EngineBinding.given(server.engine());
            ServletException e = assertThrows(ServletException.class,
                    () -> binding.chooseWebSocketUpgrade(context(Map.of()), "yes", null, "servlet x"));
            assertTrue(e.getMessage().contains("jettyCore must be true or false, not 'yes'"), e.getMessage());
            ServletException fromContext = assertThrows(ServletException.class, () -> binding.chooseWebSocketUpgrade(
                    context(Map.of(SocketIoServlet.JETTY_CORE_CONTEXT_PARAM, "off")), null, null, "servlet x"));
            assertTrue(fromContext.getMessage().contains("org.jsio.servlet.jettyCore must be true or false, not 'off'"),
                    fromContext.getMessage());
        }
    }

    @Test
    void aContextThatIsNotJettysUpgradesWithTheServletApiUnlessSwitchedOff() throws Exception {
        try (SocketIoServer server = SocketIoServer.builder().build()) {
            EngineBinding binding = EngineBinding.given(server.engine());
            binding.chooseWebSocketUpgrade(context(Map.of()), null, null, "servlet x");
            assertEquals("servlet-upgrade", binding.webSocketPath());
            binding.chooseWebSocketUpgrade(context(Map.of()), "true", "true", "servlet x");
            assertEquals("servlet-upgrade", binding.webSocketPath());
            binding.chooseWebSocketUpgrade(context(Map.of()), null, " FALSE ", "servlet x");
            assertEquals("jakarta", binding.webSocketPath());
            binding.chooseWebSocketUpgrade(context(Map.of(SocketIoServlet.SERVLET_UPGRADE_CONTEXT_PARAM, "false")),
                    null, null, "servlet x");
            assertEquals("jakarta", binding.webSocketPath());
            // the init-param overrides the context-param
            binding.chooseWebSocketUpgrade(context(Map.of(SocketIoServlet.SERVLET_UPGRADE_CONTEXT_PARAM, "false")),
                    null, "true", "servlet x");
            assertEquals("servlet-upgrade", binding.webSocketPath());
            ServletException e = assertThrows(ServletException.class,
                    () -> binding.chooseWebSocketUpgrade(context(Map.of()), null, "no", "servlet x"));
            assertTrue(e.getMessage().contains("servletUpgrade must be true or false, not 'no'"), e.getMessage());
        }
    }

    /** On Jetty (told by the server info) the Servlet API's upgrade is not used. */
    @Test
    void jettyWithoutItsWebSocketCoreGetsTheJakartaApi() throws Exception {
        try (SocketIoServer server = SocketIoServer.builder().build()) {
            EngineBinding binding = EngineBinding.given(server.engine());
            ServletContext jetty = (ServletContext) Proxy.newProxyInstance(WebSocketSwitchTest.class.getClassLoader(),
                    new Class<?>[] {ServletContext.class},
                    (proxy, method, args) -> "getServerInfo".equals(method.getName()) ? "jetty/12.1.8" : null);
            binding.chooseWebSocketUpgrade(jetty, null, null, "servlet x");
            assertEquals("jakarta", binding.webSocketPath());
        }
    }

    @Test
    void pollingOnlyEnginesChooseNothing() throws Exception {
        try (SocketIoServer server = SocketIoServer.builder().transports(EngineOptions.Transport.POLLING).build()) {
            EngineBinding binding = EngineBinding.given(server.engine());
            binding.chooseWebSocketUpgrade(context(Map.of()), "nonsense is not even read", "nor this", "servlet x");
            assertEquals("jakarta", binding.webSocketPath());
        }
    }
}
