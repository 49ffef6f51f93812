package org.jsio.testing.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.socket.client.IO;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jsio.servlet.SocketIoServlet;
import org.jsio.socketio.SocketIoServer;
import org.jsio.testing.EmbeddedContainer;
import org.jsio.testing.node.NodeClient;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Stopping the server: every client is disconnected with "server shutting down" on the server
 * side and sees its transport closed (a close packet for a waiting poll, a close frame on a
 * WebSocket; the official clients report "transport close", as with the reference server's
 * {@code io.close()}), the server holds nothing
 * afterwards, and once the container is stopped too, no thread of the server or the container is
 * left.
 */
class ShutdownTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Threads of the test's clients and of the JVM, which are not the server's to stop. */
    private static final List<String> NOT_OURS = List.of("OkHttp", "Okio", "EventThread", "HttpClient", "ForkJoinPool",
            "process reaper", "Attach Listener", "Common-Cleaner", "surefire", "Signal Dispatcher", "Notification");

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"jetty", EmbeddedContainer.JETTY_JAKARTA, "tomcat", EmbeddedContainer.TOMCAT_JAKARTA,
            EmbeddedContainer.UNDERTOW})
    void closingTheServerDisconnectsEveryClientAndLeavesNoThread(String kind) throws Exception {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        SocketIoServer server = SocketIoServer.create();
        Map<String, String> reasons = new ConcurrentHashMap<>();
        server.onDisconnect((socket, reason) -> reasons.put(socket.id(), reason.text()));
        CountDownLatch joined = new CountDownLatch(2);
        server.onConnect((socket, auth) -> joined.countDown());
        EmbeddedContainer container = EmbeddedContainer.create(kind)
                .mount("/socket.io/*", new SocketIoServlet(server)).start(0);
        List<io.socket.client.Socket> clients = new ArrayList<>();
        NodeClient node = NodeClient.start();
        try {
            // the official JavaScript client on WebSocket, the official Java client on long-polling
            node.connect("js", container.baseUrl() + "/",
                    "{\"transports\":[\"websocket\"],\"reconnection\":false,\"forceNew\":true}");
            node.awaitConnect("js", WAIT);
            BlockingQueue<String> pollingReason = new LinkedBlockingQueue<>();
            clients.add(client(container, "polling", pollingReason));
            assertTrue(joined.await(WAIT.toSeconds(), TimeUnit.SECONDS), "both clients connect");

            // a raw polling session with a poll waiting for data
            RawClient raw = new RawClient(container.baseUrl() + "/socket.io/");
            String sid = raw.handshake();
            CompletableFuture<HttpResponse<String>> held = raw.getAsync(RawClient.polling(sid));
            // a raw WebSocket session
            RawWebSocket ws = RawWebSocket.connect(
                    URI.create(container.baseUrl() + "/socket.io/?EIO=4&transport=websocket"), 0, WAIT);
            assertTrue(ws.readFrame().text().startsWith("0{"));
            awaitSessions(server, 4);
            awaitHeld(server, sid);

            server.close();

            HttpResponse<String> answer = held.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(200, answer.statusCode());
            assertEquals("1", answer.body(), "a waiting poll is answered with the close packet");
            RawWebSocket.Frame f;
            do {
                f = ws.readFrame();
            } while (f != null && f.opcode() != RawWebSocket.CLOSE);
            assertTrue(f != null, "the WebSocket gets a close frame");
            assertEquals(1000, f.closeCode());
            // this client never answers the close frame (the official Java client does not
            // either): the server drops the connection rather than wait for it
            assertEquals(null, ws.readFrame(), "the connection is dropped");
            ws.close();

            assertEquals("transport close", node.awaitType("disconnect", "js", WAIT).get("reason").getAsString(),
                    "the official JavaScript client on WebSocket");
            String polled = pollingReason.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            // a poll that was waiting gets the close packet; one sent just after the close finds
            // the session gone (the client then reports a transport error)
            assertTrue("transport close".equals(polled) || "transport error".equals(polled),
                    "the official client on long-polling: " + polled);
            assertEquals(2, reasons.size(), "every namespace client was told: " + reasons);
            assertEquals(Set.of("server shutting down"), Set.copyOf(reasons.values()));
            assertTrue(server.stats().isEmpty(), "the server holds nothing: " + server.stats());
            assertEquals(400, raw.get("EIO=4&transport=polling").statusCode(), "no new sessions after close");
        } finally {
            node.close();
            clients.forEach(io.socket.client.Socket::close);
            server.close();
            container.close();
        }
        awaitNoNewThreads(before);
    }

    private static io.socket.client.Socket client(EmbeddedContainer container, String transport,
            BlockingQueue<String> reason) {
        io.socket.client.Socket c = IO.socket(URI.create(container.baseUrl() + "/"), IO.Options.builder()
                .setForceNew(true).setReconnection(false).setTransports(new String[] {transport}).build());
        c.on(io.socket.client.Socket.EVENT_DISCONNECT, args -> reason.add(String.valueOf(args[0])));
        c.connect();
        return c;
    }

    private static void awaitSessions(SocketIoServer server, int count) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (server.engine().sessionCount() != count) {
            if (System.nanoTime() - deadline > 0) {
                fail("expected " + count + " sessions: " + server.stats());
            }
            TimeUnit.MILLISECONDS.sleep(20); // the pause between two looks
        }
    }

    /** Waits until the server holds the session's poll, waiting for data to answer it with. */
    private static void awaitHeld(SocketIoServer server, String sid) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!server.engine().session(sid).pollWaiting()) {
            if (System.nanoTime() - deadline > 0) {
                fail("the poll was not held");
            }
            TimeUnit.MILLISECONDS.sleep(20); // the pause between two looks
        }
    }

    private static void awaitNoNewThreads(Set<Thread> before) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        List<String> left;
        while (true) {
            left = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> !before.contains(t) && t.isAlive())
                    .map(Thread::getName)
                    .filter(name -> NOT_OURS.stream().noneMatch(name::contains))
                    .collect(Collectors.toList());
            if (left.isEmpty()) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                fail("threads left after the server and the container stopped: " + left);
            }
            TimeUnit.MILLISECONDS.sleep(50); // the pause between two looks
        }
    }
}
