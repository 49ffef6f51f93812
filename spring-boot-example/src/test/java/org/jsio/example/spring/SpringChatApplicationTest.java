package org.jsio.example.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.socket.client.IO;
import io.socket.client.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jsio.engine.EngineOptions;
import org.jsio.engine.EngineSocket;
import org.jsio.socketio.SocketIoServer;
import org.jsio.testing.Await;
import org.jsio.testing.TextMessages;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.event.ApplicationPreparedEvent;
import org.springframework.boot.jetty.servlet.JettyServletWebServerFactory;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * {@link SpringChatApplication} started as Spring Boot starts it, on its embedded Tomcat and on its
 * embedded Jetty, each on 127.0.0.1 and a free port: the application's own endpoint answers, two
 * official Java clients chat through it, one over WebSocket and one over long-polling, and when the
 * application stops, its Socket.IO server ends their sessions itself.
 */
class SpringChatApplicationTest {
    private static final long TIMEOUT_SECONDS = 20;

    private final List<Client> clients = new ArrayList<>();

    /**
     * Chooses Spring Boot's embedded Tomcat (both containers are on the test class path). Given to
     * the application as a source, and not a {@code @Configuration}, which its component scan
     * would find for every test.
     */
    static class OnTomcat {
        @Bean
        TomcatServletWebServerFactory tomcat() {
            return new TomcatServletWebServerFactory();
        }
    }

    /** Chooses Spring Boot's embedded Jetty, as {@link OnTomcat} chooses Tomcat. */
    static class OnJetty {
        @Bean
        JettyServletWebServerFactory jetty() {
            return new JettyServletWebServerFactory();
        }
    }

    @AfterEach
    void closeClients() {
        clients.forEach(c -> c.socket.close());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tomcat", "jetty"})
    void chatsOverWebSocketAndLongPollingBesideTheApplicationsOwnEndpoint(String container) throws Exception {
        // how the servlet upgrades WebSockets, as it logs when it starts (watched from when
        // Spring Boot has set its logging up, before the web server starts)
        Logger servletLog = (Logger) LoggerFactory.getLogger("org.jsio.servlet");
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        ConfigurableApplicationContext context = new SpringApplicationBuilder(SpringChatApplication.class,
                container.equals("jetty") ? OnJetty.class : OnTomcat.class)
                .properties("server.address=127.0.0.1", "server.port=0")
                .listeners((ApplicationListener<ApplicationPreparedEvent>) prepared -> servletLog.addAppender(logged))
                .run();
        try {
            WebServer server = ((WebServerApplicationContext) context).getWebServer();
            assertTrue(server.getClass().getSimpleName().toLowerCase().startsWith(container), server.getClass().getName());
            String base = "http://127.0.0.1:" + server.getPort();
            servletLog.detachAppender(logged);
            List<String> paths = logged.list.stream().map(ILoggingEvent::getFormattedMessage)
                    .filter(m -> m.contains(": WebSocket through ")).toList();
            assertEquals(List.of("servlet socketIoServlet: WebSocket through " + (container.equals("jetty")
                    ? "Jetty's WebSocket core (ee11)" : "the Servlet API's HTTP upgrade")), paths);

            HttpResponse<String> health = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(base + "/api/health")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode());
            assertEquals("ok", health.body());

            Client alice = connect(base, "alice", "websocket");
            Client bob = connect(base, "bob", "polling");
            RawWebSocket carol = RawWebSocket.connect(base, "carol");
            assertEquals(1, ((JSONObject) alice.call("join", "lobby")).getInt("members"));
            assertEquals(2, ((JSONObject) bob.call("join", "lobby")).getInt("members"));
            // everyone in the room hears of each arrival, the newcomer too
            assertEquals("alice", ((JSONObject) alice.next("joined")).getString("from"));
            assertEquals("bob", ((JSONObject) alice.next("joined")).getString("from"));
            assertEquals("bob", ((JSONObject) bob.next("joined")).getString("from"));

            assertEquals("delivered", alice.call("chat", "hello from a WebSocket"));
            JSONObject message = (JSONObject) bob.next("chat");
            assertEquals("alice", message.getString("from"));
            assertEquals("hello from a WebSocket", message.getString("text"));
            assertEquals("delivered", bob.call("chat", "hello from long-polling"));
            assertEquals("hello from long-polling", ((JSONObject) alice.next("chat")).getString("text"));

            // alice moves to another room, so that no disconnect handler's notice reaches bob
            // while the server closes: his held poll then gets nothing but the close packet
            assertEquals("elsewhere", ((JSONObject) alice.call("join", "elsewhere")).getString("room"));
            assertEquals("alice", ((JSONObject) bob.next("left")).getString("from"));
            awaitHeldPoll(context.getBean(SocketIoServer.class));

            // When the application stops, the Socket.IO server is closed first: it answers the
            // held poll with a close packet, and closes the WebSockets with a close frame. (Closed
            // only when Spring destroys its bean, after the web server's graceful shutdown, the
            // held poll would hold up Tomcat's shutdown until its next ping, and then the
            // clients would find the server gone: a transport error.) The official Java client
            // does not reliably report a close frame from the server, so the WebSocket's end is
            // watched through a plain WebSocket client.
            context.close();
            assertEquals("transport close", bob.next(Socket.EVENT_DISCONNECT));
            assertEquals(1000, carol.awaitClose());
        } finally {
            context.close();
        }
    }

    /** Waits until the server holds a long-polling GET of every long-polling session. */
    private static void awaitHeldPoll(SocketIoServer sio) throws InterruptedException {
        assertTrue(Await.holds(() -> sio.engine().sessions().stream()
                .filter(s -> s.transport() == EngineOptions.Transport.POLLING).allMatch(EngineSocket::pollWaiting),
                Duration.ofSeconds(TIMEOUT_SECONDS)), "no long-poll held within " + TIMEOUT_SECONDS + " s");
    }

    /** An official Java client connected on {@code transport} only, with its nickname. */
    private Client connect(String base, String name, String transport) throws Exception {
        IO.Options options = IO.Options.builder()
                .setForceNew(true)
                .setReconnection(false)
                .setTransports(new String[] {transport})
                .setAuth(Map.of("name", name))
                .build();
        Client client = new Client(IO.socket(URI.create(base), options));
        clients.add(client);
        client.socket.connect();
        assertNotNull(client.next(Socket.EVENT_CONNECT));
        return client;
    }

    /**
     * A Socket.IO client on the JDK's WebSocket, speaking the Engine.IO and Socket.IO framing
     * itself: connected with its nickname, it only watches for the server's close frame.
     */
    private static final class RawWebSocket {
        private final TextMessages frames = new TextMessages();

        static RawWebSocket connect(String base, String name) throws Exception {
            RawWebSocket client = new RawWebSocket();
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create(base.replaceFirst("^http", "ws") + "/socket.io/?EIO=4&transport=websocket"),
                            client.frames)
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertTrue(client.next().startsWith("0{\"sid\":"), "an Engine.IO open packet");
            ws.sendText("40{\"name\":\"" + name + "\"}", true).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertTrue(client.next().startsWith("40{\"sid\":"), "a Socket.IO CONNECT");
            return client;
        }

        private String next() throws InterruptedException {
            String frame = frames.poll(Duration.ofSeconds(TIMEOUT_SECONDS));
            assertNotNull(frame, "no frame within " + TIMEOUT_SECONDS + " s");
            return frame;
        }

        /** The status code of the server's close frame. */
        int awaitClose() throws Exception {
            return frames.closed().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
    }

    /** A client whose events, each in its own queue, are collected from before it connects. */
    private static final class Client {
        final Socket socket;
        private final Map<String, BlockingQueue<Object>> events = new ConcurrentHashMap<>();

        Client(Socket socket) {
            this.socket = socket;
            for (String event : new String[] {Socket.EVENT_CONNECT, Socket.EVENT_DISCONNECT, "joined", "left", "chat"}) {
                socket.on(event, args -> queue(event).add(args.length == 0 ? event : args[0]));
            }
        }

        private BlockingQueue<Object> queue(String event) {
            return events.computeIfAbsent(event, e -> new LinkedBlockingQueue<>());
        }

        /** The first argument of the next {@code event} received. */
        Object next(String event) throws InterruptedException {
            Object value = queue(event).poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(value, "no " + event + " within " + TIMEOUT_SECONDS + " s");
            return value;
        }

        /** Emits {@code event} with {@code argument} and returns the acknowledgement's first argument. */
        Object call(String event, Object argument) throws InterruptedException {
            BlockingQueue<Object> ack = new LinkedBlockingQueue<>();
            socket.emit(event, new Object[] {argument}, args -> ack.add(args.length == 0 ? "" : args[0]));
            Object value = ack.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(value, "no acknowledgement of " + event + " within " + TIMEOUT_SECONDS + " s");
            return value;
        }
    }
}
