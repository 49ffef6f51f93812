package org.jsio.testing.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.socket.client.IO;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jsio.servlet.SocketIoServlet;
import org.jsio.socketio.Ack;
import org.jsio.socketio.SocketIoServer;
import org.jsio.testing.Await;
import org.jsio.testing.EmbeddedContainer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Clients that start and never finish: POST bodies that trickle in (slowloris) and handshakes that
 * are never followed up. Neither holds a container thread or server memory beyond the heartbeat
 * deadline, and a well-behaved long-polling client is served all along.
 */
class SlowlorisTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration PING_INTERVAL = Duration.ofMillis(1000);
    private static final Duration PING_TIMEOUT = Duration.ofMillis(1000);
    /** Only turns a missed deadline into a failure; generous for a loaded 2-core machine. */
    private static final Duration MARGIN = Duration.ofSeconds(10);
    private static final int SLOW_BODIES = 30;
    private static final int SILENT_POLLING = 300;
    private static final int SILENT_WEBSOCKETS = 50;

    private static SocketIoServer server() {
        SocketIoServer server = SocketIoServer.builder().pingInterval(PING_INTERVAL).pingTimeout(PING_TIMEOUT).build();
        server.on("echo", (socket, args) -> Ack.of(args));
        return server;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"jetty", "tomcat"})
    void bodiesThatTrickleInHoldNoThreadAndEndTheirSessions(String kind) throws Exception {
        SocketIoServer server = server();
        try (EmbeddedContainer container = EmbeddedContainer.create(kind)
                .mount("/socket.io/*", new SocketIoServlet(server)).start(0)) {
            io.socket.client.Socket good = pollingClient(container);
            List<Socket> slow = new ArrayList<>();
            try {
                assertEquals(0, echo(good, 0));
                RawClient raw = new RawClient(container.baseUrl() + "/socket.io/");
                List<String> sids = new ArrayList<>();
                for (int i = 0; i < SLOW_BODIES; i++) {
                    String sid = raw.handshake();
                    sids.add(sid);
                    Socket s = new Socket("127.0.0.1", container.port());
                    s.setSoTimeout((int) WAIT.toMillis());
                    slow.add(s);
                    OutputStream out = s.getOutputStream();
                    out.write(("POST /socket.io/?EIO=4&transport=polling&sid=" + sid + " HTTP/1.1\r\n"
                            + "Host: 127.0.0.1:" + container.port() + "\r\n"
                            + "Content-Type: text/plain;charset=UTF-8\r\n"
                            + "Content-Length: 1000\r\n\r\n40").getBytes(StandardCharsets.US_ASCII));
                    out.flush(); // and 998 bytes that never come
                }
                // while the bodies are pending: no thread waits in a body read, others are served
                assertNoThreadReadsABody();
                for (int i = 1; i <= 20; i++) {
                    assertEquals(i, echo(good, i), "the polling client while " + SLOW_BODIES + " bodies trickle in");
                }
                // each slow POST is answered 400 once the heartbeat deadline passed, its session gone
                for (Socket s : slow) {
                    String status = statusLine(s.getInputStream());
                    assertTrue(status.startsWith("HTTP/1.1 400"), "a body that never arrived: " + status);
                }
                for (String sid : sids) {
                    assertEquals(400, raw.get(RawClient.polling(sid)).statusCode(), "session of a slow body");
                }
                assertEquals(21, echo(good, 21));
                awaitEngineSessions(server, 1, WAIT);
            } finally {
                for (Socket s : slow) {
                    s.close();
                }
                good.close();
                server.close();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"jetty", "tomcat"})
    void handshakesNeverFollowedUpAreReapedByThePingTimeout(String kind) throws Exception {
        SocketIoServer server = server();
        try (EmbeddedContainer container = EmbeddedContainer.create(kind)
                .mount("/socket.io/*", new SocketIoServlet(server)).start(0)) {
            io.socket.client.Socket good = pollingClient(container);
            List<RawWebSocket> silent = new ArrayList<>();
            try {
                assertEquals(0, echo(good, 0));
                RawClient raw = new RawClient(container.baseUrl() + "/socket.io/");
                URI ws = URI.create(container.baseUrl() + "/socket.io/?EIO=4&transport=websocket");
                long lastHandshake = 0;
                for (int i = 0; i < SILENT_POLLING + SILENT_WEBSOCKETS; i++) {
                    if (i % 7 == 0 && silent.size() < SILENT_WEBSOCKETS) {
                        RawWebSocket s = RawWebSocket.connect(ws, 0, WAIT);
                        silent.add(s);
                        assertTrue(s.readFrame().text().startsWith("0{"));
                    } else {
                        raw.handshake();
                    }
                    lastHandshake = System.nanoTime();
                }
                int flood = server.engine().sessionCount();
                assertTrue(flood > SILENT_POLLING, "the flood is open: " + flood);
                assertEquals(1, echo(good, 1), "the polling client during the flood");
                // every silent session started before lastHandshake; each must end within one
                // heartbeat deadline of its start (plus a margin that only guards against hangs)
                Duration deadline = PING_INTERVAL.plus(PING_TIMEOUT).plus(MARGIN);
                long limit = lastHandshake + deadline.toNanos();
                awaitEngineSessions(server, 1, Duration.ofNanos(Math.max(0, limit - System.nanoTime())));
                for (RawWebSocket s : silent) {
                    RawWebSocket.Frame f;
                    do {
                        f = s.readFrame();
                    } while (f != null && f.opcode() != RawWebSocket.CLOSE);
                }
                assertEquals(2, echo(good, 2), "the polling client after the flood");
            } finally {
                for (RawWebSocket s : silent) {
                    s.close();
                }
                good.close();
                server.close();
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private static io.socket.client.Socket pollingClient(EmbeddedContainer container) {
        io.socket.client.Socket good = IO.socket(URI.create(container.baseUrl() + "/"), IO.Options.builder()
                .setForceNew(true).setReconnection(false).setTransports(new String[] {"polling"}).build());
        good.connect();
        return good;
    }

    private static int echo(io.socket.client.Socket client, int value) throws InterruptedException {
        BlockingQueue<Object[]> answer = new ArrayBlockingQueue<>(1);
        client.emit("echo", new Object[] {value}, (io.socket.client.Ack) answer::add);
        Object[] args = answer.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        if (args == null) {
            throw new AssertionError("no acknowledgement within " + WAIT);
        }
        return ((Number) args[0]).intValue();
    }

    /**
     * Fails if threads keep waiting inside a request body read. A blocking read would hold one
     * thread per slow body in every snapshot; a thread seen there briefly (registering a read
     * listener) is gone in the next one.
     */
    private static void assertNoThreadReadsABody() throws InterruptedException {
        List<String> readers = new ArrayList<>();
        for (int attempt = 0; attempt < 50; attempt++) {
            readers.clear();
            for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
                for (StackTraceElement frame : e.getValue()) {
                    if (frame.getClassName().equals("org.jsio.servlet.ServletHttpExchange")
                            && frame.getMethodName().equals("readBody")) {
                        readers.add(e.getKey().getName());
                        break;
                    }
                }
            }
            if (readers.isEmpty()) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(20); // the pause between two snapshots
        }
        fail("threads wait in a request body read: " + readers);
    }

    private static String statusLine(InputStream in) throws java.io.IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            line.append((char) b);
        }
        return line.toString().trim();
    }

    private static void awaitEngineSessions(SocketIoServer server, int count, Duration timeout)
            throws InterruptedException {
        Await.until(() -> server.engine().sessionCount() == count, timeout,
                () -> "sessions still open past the heartbeat deadline: " + server.stats());
    }
}
