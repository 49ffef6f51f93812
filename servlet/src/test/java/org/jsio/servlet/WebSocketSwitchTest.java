package org.jsio.servlet;

import static org.junit.jupiter.api.Assertions.assertFalse;
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
 * The jettyCore switch outside Jetty: a wrong value is refused with a message naming the
 * parameter, and a context that is not Jetty's gets the Jakarta API (with the Jetty classes on the
 * class path, as here, or without them).
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
                    () -> binding.chooseWebSocketUpgrade(context(Map.of()), "yes", "servlet x"));
            assertTrue(e.getMessage().contains("jettyCore must be true or false, not 'yes'"), e.getMessage());
            ServletException fromContext = assertThrows(ServletException.class, () -> binding.chooseWebSocketUpgrade(
                    context(Map.of(SocketIoServlet.JETTY_CORE_CONTEXT_PARAM, "off")), null, "servlet x"));
            assertTrue(fromContext.getMessage().contains("org.jsio.servlet.jettyCore must be true or false, not 'off'"),
                    fromContext.getMessage());
        }
    }

    @Test
    void aContextThatIsNotJettysGetsTheJakartaApi() throws Exception {
        try (SocketIoServer server = SocketIoServer.builder().build()) {
            EngineBinding binding = EngineBinding.given(server.engine());
            binding.chooseWebSocketUpgrade(context(Map.of()), null, "servlet x");
            assertFalse(binding.usesJettyCore());
            binding.chooseWebSocketUpgrade(context(Map.of()), "true", "servlet x");
            assertFalse(binding.usesJettyCore());
        }
    }

    @Test
    void pollingOnlyEnginesChooseNothing() throws Exception {
        try (SocketIoServer server = SocketIoServer.builder().transports(EngineOptions.Transport.POLLING).build()) {
            EngineBinding binding = EngineBinding.given(server.engine());
            binding.chooseWebSocketUpgrade(context(Map.of()), "nonsense is not even read", "servlet x");
            assertFalse(binding.usesJettyCore());
        }
    }
}
