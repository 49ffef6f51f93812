package org.jsio.testing.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jsio.servlet.SocketIoServlet;
import org.jsio.socketio.ConnectionRefusedException;
import org.jsio.socketio.SocketIoServer;
import org.jsio.testing.Await;
import org.jsio.testing.EmbeddedContainer;
import org.jsio.testing.ErrorOutput;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Connect/disconnect churn of every kind at once: WebSocket and long-polling sessions that leave
 * cleanly, upgrades, refused connects, sessions left for the heartbeat to reap, and TCP resets in
 * the middle of a binary packet or with an acknowledgement pending. Afterwards every per-client
 * structure the server keeps must be empty: engine sessions, namespace sockets, rooms, pending
 * acknowledgements, and timers on the scheduler (binary reassembly lives in the session and goes
 * with it).
 *
 * <p>CI runs {@value #DEFAULT_CYCLES} cycles per container. The long run,
 * {@code mvn -B -ntp -pl src-test-fixtures -am verify -Dtest=ChurnTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Djsio.churn.cycles=100000 -Djsio.churn.containers=jetty}, also samples the heap after a full GC every tenth of the way and
 * fails if the last sample is more than {@value #HEAP_SLACK_MB} MiB above the first one taken
 * after warm-up.
 */
class ChurnTest {
    static final int DEFAULT_CYCLES = 400;
    static final int HEAP_SLACK_MB = 4;
    private static final int CYCLES = Integer.getInteger("jsio.churn.cycles", DEFAULT_CYCLES);
    private static final int THREADS = 4;
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Duration PING_INTERVAL = Duration.ofMillis(500);
    private static final Duration PING_TIMEOUT = Duration.ofMillis(1000);

    /** The containers to run on: {@code -Djsio.churn.containers=jetty} picks one for a long run. */
    static java.util.stream.Stream<String> containers() {
        return java.util.Arrays.stream(System.getProperty("jsio.churn.containers",
                        String.join(",", EmbeddedContainer.WEBSOCKET_KINDS)).split(","))
                .map(String::trim);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void everyKindOfComingAndGoingLeavesNothingBehind(String kind) throws Exception {
        SocketIoServer server = SocketIoServer.builder().pingInterval(PING_INTERVAL).pingTimeout(PING_TIMEOUT).build();
        server.onConnect((socket, auth) -> {
            if ("bad".equals(auth.get("token"))) {
                throw new ConnectionRefusedException("not authorized");
            }
            socket.enterRoom("room-" + (socket.id().hashCode() & 7));
            // an acknowledgement the client may never give
            socket.emitWithAck(Duration.ofSeconds(1), "question", 1);
        });
        server.on("echo", (socket, args) -> org.jsio.socketio.Ack.of(args));
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        List<Long> heap = new ArrayList<>();
        AtomicInteger done = new AtomicInteger();
        try (ErrorOutput log = new ErrorOutput();
                EmbeddedContainer container = EmbeddedContainer.create(kind)
                        .mount("/socket.io/*", new SocketIoServlet(server)).start(0)) {
            RawClient raw = new RawClient(container.baseUrl() + "/socket.io/");
            URI ws = URI.create(container.baseUrl() + "/socket.io/?EIO=4&transport=websocket");
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try {
                int slice = Math.max(1, CYCLES / 10);
                for (int from = 0; from < CYCLES; from += slice) {
                    int to = Math.min(CYCLES, from + slice);
                    List<Future<?>> running = new ArrayList<>();
                    for (int t = 0; t < THREADS; t++) {
                        int thread = t;
                        int start = from;
                        running.add(pool.submit(() -> {
                            for (int i = start + thread; i < to; i += THREADS) {
                                Random random = new Random(i);
                                try {
                                    cycle(i, random, raw, ws);
                                } catch (Exception e) {
                                    throw new AssertionError("cycle " + i + " (" + kind + ")", e);
                                }
                                done.incrementAndGet();
                            }
                            return null;
                        }));
                    }
                    for (Future<?> f : running) {
                        f.get(10, TimeUnit.MINUTES);
                    }
                    if (CYCLES >= 10_000) {
                        System.gc();
                        heap.add(memory.getHeapMemoryUsage().getUsed());
                        System.out.printf("ChurnTest %s: %d cycles, heap after GC %.1f MiB, %s%n", kind, to,
                                heap.get(heap.size() - 1) / 1048576.0, server.stats());
                    }
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(CYCLES, done.get());
            Await.until(() -> server.stats().isEmpty() && server.engine().scheduledTasks() == 0, WAIT,
                    () -> "after " + CYCLES + " cycles the server still holds " + server.stats() + " and "
                            + server.engine().scheduledTasks() + " timers");
            assertEquals(0, server.engine().sessionCount());
            assertTrue(log.warningsAndErrors().stream().noneMatch(l -> l.contains("ERROR")),
                    "errors logged: " + log.warningsAndErrors());
            if (heap.size() >= 3) {
                long first = heap.get(1); // after warm-up
                long last = heap.get(heap.size() - 1);
                assertTrue(last - first < HEAP_SLACK_MB * 1048576L,
                        "heap after GC grew from " + first + " to " + last + " bytes over " + CYCLES + " cycles");
            }
        } finally {
            server.close();
        }
    }

    /** One client's visit, chosen by the cycle number. */
    private static void cycle(int i, Random random, RawClient raw, URI ws) throws Exception {
        switch (i % 7) {
            case 0: { // WebSocket, clean leave
                try (RawWebSocket s = openWebSocket(ws, "40")) {
                    s.sendText("421[\"echo\"," + i + "]");
                    awaitText(s, "431[" + i + "]");
                    s.sendText("41");
                    s.sendText("1");
                }
                break;
            }
            case 1: { // polling, clean leave
                String sid = raw.handshake();
                String q = RawClient.polling(sid);
                raw.post(q, "40");
                pollUntil(raw, q, "40{");
                raw.post(q, "41" + RawClient.SEP + "1");
                break;
            }
            case 2: { // upgrade, then a reset
                String sid = raw.handshake();
                String q = RawClient.polling(sid);
                raw.post(q, "40");
                pollUntil(raw, q, "40{");
                try (RawWebSocket s = RawWebSocket.connect(URI.create(ws + "&sid=" + sid), 0, WAIT)) {
                    s.sendText("2probe");
                    awaitText(s, "3probe");
                    s.sendText("5");
                    s.sendText("421[\"echo\"," + i + "]");
                    awaitText(s, "431[" + i + "]");
                    s.reset();
                }
                break;
            }
            case 3: { // refused connect
                try (RawWebSocket s = openWebSocket(ws, null)) {
                    s.sendText("40{\"token\":\"bad\"}");
                    awaitText(s, "44{\"message\":\"not authorized\"}");
                    if (random.nextBoolean()) {
                        s.reset();
                    }
                }
                break;
            }
            case 4: { // reset in the middle of a binary packet
                try (RawWebSocket s = openWebSocket(ws, "40")) {
                    s.sendText("451-[\"echo\",{\"_placeholder\":true,\"num\":0}]");
                    s.reset();
                }
                break;
            }
            case 5: { // polling client that vanishes: the heartbeat reaps it
                String sid = raw.handshake();
                raw.post(RawClient.polling(sid), "40");
                break;
            }
            default: { // WebSocket closed without a close frame, acknowledgement pending
                try (RawWebSocket s = openWebSocket(ws, "40")) {
                    awaitPrefix(s, "420[\"question\"");
                }
                break;
            }
        }
    }

    /** Polls until a packet starting with {@code prefix} arrives, answering pings on the way. */
    private static void pollUntil(RawClient raw, String q, String prefix) throws Exception {
        for (int polls = 0; polls < 100; polls++) {
            HttpResponse<String> r = raw.get(q);
            assertEquals(200, r.statusCode(), r.body());
            for (String packet : RawClient.packets(r.body())) {
                if (packet.startsWith(prefix)) {
                    return;
                }
                if (packet.equals("2")) {
                    raw.post(q, "3");
                }
            }
        }
        fail("no packet starting with " + prefix);
    }

    private static RawWebSocket openWebSocket(URI uri, String connect) throws Exception {
        RawWebSocket s = RawWebSocket.connect(uri, 0, WAIT);
        assertEquals(101, s.status());
        assertTrue(s.readFrame().text().startsWith("0{"));
        if (connect != null) {
            s.sendText(connect);
            awaitPrefix(s, "40{");
        }
        return s;
    }

    private static void awaitText(RawWebSocket s, String text) throws Exception {
        awaitPrefix(s, text);
    }

    private static void awaitPrefix(RawWebSocket s, String prefix) throws Exception {
        while (true) {
            RawWebSocket.Frame f;
            try {
                f = s.readFrame();
            } catch (SocketTimeoutException e) {
                throw new AssertionError("nothing starting with " + prefix, e);
            }
            if (f == null || f.opcode() == RawWebSocket.CLOSE) {
                throw new AssertionError("closed while waiting for " + prefix);
            }
            String text = f.text();
            if (text.equals("2")) {
                s.sendText("3");
            } else if (text.startsWith(prefix)) {
                return;
            }
        }
    }
}
