package org.jsio.testing.web;

import static org.jsio.testing.web.Http.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.Principal;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jsio.servlet.SocketIoServlet;
import org.jsio.socketio.SocketIoServer;
import org.jsio.testing.EmbeddedContainer;
import org.jsio.testing.ErrorOutput;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The principal a container authenticated reaches the connect handler through the handshake,
 * and the packet-logging switches log the traffic at INFO.
 */
class PrincipalAndLoggingTest {

    /** Stands in for the container's authentication (a login filter or a realm). */
    static final class AuthenticatingServlet extends SocketIoServlet {
        private static final long serialVersionUID = 1L;

        AuthenticatingServlet(SocketIoServer server) {
            super(server);
        }

        @Override
        protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
            super.service(new HttpServletRequestWrapper(request) {
                @Override
                public Principal getUserPrincipal() {
                    return () -> "alice";
                }
            }, response);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"jetty", "tomcat"})
    void theAuthenticatedPrincipalReachesTheConnectHandlerAndPacketsAreLogged(String kind) throws Exception {
        CompletableFuture<String> principal = new CompletableFuture<>();
        String log;
        try (SocketIoServer sio = SocketIoServer.builder().logger(true).engineioLogger(true).build();
                EmbeddedContainer container = EmbeddedContainer.create(kind)
                        .mount("/socket.io/*", new AuthenticatingServlet(sio)).start(0)) {
            sio.onConnect((socket, auth) -> principal.complete(socket.handshake().userPrincipal().getName()));
            String url = container.baseUrl() + "/socket.io/";
            String polling = url + "?EIO=4&transport=polling&sid=" + Http.handshake(url);
            try (ErrorOutput err = new ErrorOutput()) {
                assertEquals("ok", text(Http.post(polling, "40{\"token\":\"t\"}")));
                assertEquals("alice", principal.get(5, TimeUnit.SECONDS));
                String reply = text(Http.send(Http.request(polling).GET().build()));
                assertTrue(reply.startsWith("40{\"sid\":"), reply);
                log = err.text();
            }
        }
        assertTrue(log.contains("INFO org.jsio.engine.packets") && log.contains("received 40{\"token\":\"t\"}"), log);
        assertTrue(log.contains("INFO org.jsio.socketio.packets") && log.contains("sending 0{\"sid\":"), log);
    }
}
