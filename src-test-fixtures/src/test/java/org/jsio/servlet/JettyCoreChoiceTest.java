package org.jsio.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.jsio.socketio.SocketIoServer;
import org.jsio.testing.EmbeddedContainer;
import org.jsio.testing.EmbeddedJetty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which WebSocket path a servlet takes, and how the switch chooses it. */
class JettyCoreChoiceTest {
    private static final String CORE = "jetty-core";
    private static final String SERVLET = "servlet-upgrade";
    private static final String JAKARTA = "jakarta";

    /** A servlet with a {@value SocketIoServlet#JETTY_CORE_PARAM} init-param, or none. */
    private static SocketIoServlet servlet(SocketIoServer server, String jettyCore) {
        return new SocketIoServlet(server) {
            private static final long serialVersionUID = 1L;

            @Override
            public String getInitParameter(String name) {
                return SocketIoServlet.JETTY_CORE_PARAM.equals(name) ? jettyCore : super.getInitParameter(name);
            }
        };
    }

    private static List<String> choices(EmbeddedContainer container, String... initParams) throws Exception {
        try (SocketIoServer server = SocketIoServer.builder().build()) {
            List<SocketIoServlet> servlets = new ArrayList<>();
            for (int i = 0; i < initParams.length; i++) {
                SocketIoServlet s = servlet(server, initParams[i]);
                servlets.add(s);
                container.mount("/s" + i + "/*", s);
            }
            try (EmbeddedContainer c = container.start(0)) {
                // Tomcat starts servlets on their first request
                for (int i = 0; i < initParams.length; i++) {
                    java.net.http.HttpClient.newHttpClient().send(
                            java.net.http.HttpRequest.newBuilder(java.net.URI.create(c.baseUrl() + "/s" + i
                                    + "/?EIO=4&transport=polling")).build(),
                            java.net.http.HttpResponse.BodyHandlers.discarding());
                }
                List<String> result = new ArrayList<>();
                for (SocketIoServlet s : servlets) {
                    result.add(s.webSocketPath());
                }
                return result;
            }
        }
    }

    @Test
    void jettyUsesItsWebSocketCoreUnlessSwitchedOff() throws Exception {
        assertEquals(List.of(CORE, JAKARTA, CORE, JAKARTA),
                choices(new EmbeddedJetty(), null, "false", "true", " FALSE "));
    }

    @Test
    void theInitParamOverridesTheContextParam() throws Exception {
        assertEquals(List.of(JAKARTA, CORE),
                choices(new EmbeddedJetty().contextParameter(SocketIoServlet.JETTY_CORE_CONTEXT_PARAM, "false"),
                        null, "true"));
    }

    /** Tomcat upgrades with the Servlet API, whatever jettyCore says, unless servletUpgrade is false. */
    @Test
    void tomcatUpgradesWithTheServletApiUnlessSwitchedOff() throws Exception {
        assertEquals(List.of(SERVLET, SERVLET), choices(EmbeddedContainer.create("tomcat"), null, "true"));
        assertEquals(List.of(JAKARTA, JAKARTA), choices(EmbeddedContainer.create(EmbeddedContainer.TOMCAT_JAKARTA),
                null, "true"));
    }

    /**
     * The core path sets up what it needs: it upgrades whether or not the context has Jetty's
     * Jakarta WebSocket layer (Spring Boot on Jetty has it; a plain embedded Jetty need not).
     */
    @ParameterizedTest(name = "with the Jakarta layer: {0}")
    @ValueSource(booleans = {false, true})
    void theCorePathUpgradesWithOrWithoutJettysJakartaLayer(boolean jakartaLayer) throws Exception {
        try (SocketIoServer server = SocketIoServer.builder().build()) {
            SocketIoServlet servlet = new SocketIoServlet(server);
            try (EmbeddedContainer c = new EmbeddedJetty().jakartaWebSocket(jakartaLayer)
                    .mount("/socket.io/*", servlet).start(0)) {
                CompletableFuture<String> first = new CompletableFuture<>();
                WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                        .buildAsync(URI.create("ws://127.0.0.1:" + c.port() + "/socket.io/?EIO=4&transport=websocket"),
                                new WebSocket.Listener() {
                                    @Override
                                    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                                        first.complete(data.toString());
                                        return null;
                                    }
                                })
                        .get(10, TimeUnit.SECONDS);
                try {
                    String open = first.get(10, TimeUnit.SECONDS);
                    assertTrue(open.startsWith("0{\"sid\":"), open);
                    assertEquals(CORE, servlet.webSocketPath());
                } finally {
                    ws.abort();
                }
            }
        }
    }
}
