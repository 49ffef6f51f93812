package org.jsio.testing.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.socket.client.IO;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jsio.engine.EngineOptions;
import org.jsio.engine.EngineSocket;
import org.jsio.servlet.SocketIoServlet;
import org.jsio.socketio.Ack;
import org.jsio.socketio.SocketIoServer;
import org.jsio.testing.Await;
import org.jsio.testing.EmbeddedContainer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Clients that stop taking data while the server broadcasts about a thousand messages a second:
 * a WebSocket client whose TCP socket is never read again (the kernel buffers fill, then the
 * server's queue), and a long-polling client that stops polling. Each is disconnected with
 * "transport error" once its buffered bytes would pass {@link EngineOptions#maxBufferedBytes()},
 * the server never holds more than that bound for anyone, volatile emits to a stalled client are
 * dropped rather than counted, and a well-behaved client receives every message, in order,
 * throughout.
 */
class SlowClientTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final long MAX_BUFFERED = 1024 * 1024;
    private static final String PAYLOAD = "x".repeat(2000);
    private static final Pattern SID = Pattern.compile("40\\{\"sid\":\"([^\"]+)\"}");

    @ParameterizedTest(name = "{0}")
    @FieldSource("org.jsio.testing.EmbeddedContainer#WEBSOCKET_KINDS")
    void clientsThatStopReadingAreDisconnectedWhileOthersReceiveEverything(String kind) throws Exception {
        // heartbeats too slow to matter: only the buffer bound can end the stalled clients here
        SocketIoServer server = slowHeartbeats()
                .maxBufferedBytes(MAX_BUFFERED)
                .build();
        Map<String, String> reasons = new ConcurrentHashMap<>();
        Map<String, CountDownLatch> gone = new ConcurrentHashMap<>();
        server.onDisconnect((socket, reason) -> {
            reasons.put(socket.id(), reason.text());
            gone.computeIfAbsent(socket.id(), k -> new CountDownLatch(1)).countDown();
        });
        try (EmbeddedContainer container = EmbeddedContainer.create(kind)
                .mount("/socket.io/*", new SocketIoServlet(server)).start(0)) {
            // the well-behaved client counts what it gets
            AtomicInteger received = new AtomicInteger();
            AtomicInteger outOfOrder = new AtomicInteger();
            CountDownLatch connected = new CountDownLatch(1);
            io.socket.client.Socket good = IO.socket(URI.create(container.baseUrl() + "/"), IO.Options.builder()
                    .setForceNew(true).setReconnection(false).setTransports(new String[] {"websocket"}).build());
            good.on(io.socket.client.Socket.EVENT_CONNECT, args -> connected.countDown());
            good.on("tick", args -> {
                int seq = ((Number) args[0]).intValue();
                if (seq != received.getAndIncrement()) {
                    outOfOrder.incrementAndGet();
                }
            });
            good.connect();
            RawWebSocket stalled = null;
            try {
                assertTrue(connected.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the well-behaved client connects");

                // a WebSocket client with a small receive buffer that reads its connect answer, then nothing
                stalled = RawWebSocket.connect(URI.create(container.baseUrl() + "/socket.io/?EIO=4&transport=websocket"),
                        4096, WAIT);
                assertEquals(101, stalled.status());
                assertNotNull(stalled.readFrame());
                stalled.sendText("40");
                String stalledSid = sidOf(stalled.readFrame().text());

                // a polling client that joins, then never polls again
                RawClient raw = new RawClient(container.baseUrl() + "/socket.io/");
                String pollSid = raw.handshake();
                assertEquals(200, raw.post(RawClient.polling(pollSid), "40").statusCode());
                HttpResponse<String> joined = raw.get(RawClient.polling(pollSid));
                String pollingSid = sidOf(joined.body());

                CountDownLatch stalledGone = gone.computeIfAbsent(stalledSid, k -> new CountDownLatch(1));
                CountDownLatch pollingGone = gone.computeIfAbsent(pollingSid, k -> new CountDownLatch(1));
                awaitSockets(server, 3);

                // volatile emits first: dropped for the clients that do not take them, so they
                // never fill a buffer, however many there are
                long volatileBytes = 0;
                for (int i = 0; volatileBytes < 4 * MAX_BUFFERED; i++) {
                    server.emit("v", PAYLOAD); // one regular packet keeps each stalled buffer non-empty
                    for (int k = 0; k < 50; k++) {
                        server.skipSid().asVolatile().emit("v", PAYLOAD);
                        volatileBytes += PAYLOAD.length();
                    }
                    assertTrue(i < 10_000, "volatile emits kept going without reaching the total");
                }
                assertEquals(2, stalledGone.getCount() + pollingGone.getCount(),
                        "volatile emits alone must not disconnect a stalled client: " + reasons);

                // then a broadcast at about 1,000 messages a second
                AtomicLong maxBuffered = new AtomicLong();
                int sent = 0;
                long next = System.nanoTime();
                long deadline = System.nanoTime() + WAIT.toNanos();
                int after = -1;
                while (after != 0) {
                    server.emit("tick", sent, PAYLOAD);
                    sent++;
                    for (EngineSocket s : server.engine().sessions()) {
                        maxBuffered.accumulateAndGet(s.bufferedBytes(), Math::max);
                    }
                    if (after < 0 && stalledGone.getCount() == 0 && pollingGone.getCount() == 0) {
                        after = 500; // both gone: keep broadcasting a little to the others
                    } else if (after > 0) {
                        after--;
                    }
                    if (System.nanoTime() - deadline > 0) {
                        fail("the stalled clients were not disconnected after " + sent + " messages: " + reasons);
                    }
                    next += TimeUnit.MILLISECONDS.toNanos(1); // pacing, about 1,000 messages a second
                    LockSupport.parkNanos(next - System.nanoTime());
                }
                assertEquals("transport error", reasons.get(stalledSid), "the WebSocket client that stopped reading");
                assertEquals("transport error", reasons.get(pollingSid), "the polling client that stopped polling");
                assertTrue(maxBuffered.get() <= MAX_BUFFERED,
                        "a client's buffer grew to " + maxBuffered.get() + " bytes, over the bound " + MAX_BUFFERED);

                int sentInAll = sent;
                Await.holds(() -> received.get() >= sentInAll, WAIT);
                assertEquals(sent, received.get(), "the well-behaved client gets every message");
                assertEquals(0, outOfOrder.get(), "in order");
                assertTrue(good.connected());
                awaitSockets(server, 1);
            } finally {
                if (stalled != null) {
                    stalled.close();
                }
                good.close();
                server.close();
            }
        }
    }

    /**
     * A WebSocket client that resets its connection while the container still holds data for it:
     * the session ends, the other clients keep working, and the container stops. (Undertow 2.3
     * retries such a write forever on its I/O thread unless the write listener ends the loop.)
     */
    @ParameterizedTest(name = "{0}")
    @FieldSource("org.jsio.testing.EmbeddedContainer#WEBSOCKET_KINDS")
    void aClientThatResetsWhileDataWaitsForItLeavesTheServerWorking(String kind) throws Exception {
        SocketIoServer server = slowHeartbeats().build();
        server.on("echo", (socket, args) -> Ack.of(args));
        CountDownLatch gone = new CountDownLatch(1);
        server.onDisconnect((socket, reason) -> gone.countDown());
        EmbeddedContainer container = EmbeddedContainer.create(kind)
                .mount("/socket.io/*", new SocketIoServlet(server)).start(0);
        try {
            RawWebSocket stalled = RawWebSocket.connect(
                    URI.create(container.baseUrl() + "/socket.io/?EIO=4&transport=websocket"), 4096, WAIT);
            assertNotNull(stalled.readFrame());
            stalled.sendText("40");
            assertNotNull(sidOf(stalled.readFrame().text()));
            assertEquals(1, server.engine().sessions().size());
            EngineSocket session = server.engine().sessions().iterator().next();
            // until the connection takes no more and the server's queue holds the rest
            for (int i = 0; session.bufferedBytes() == 0; i++) {
                server.emit("v", PAYLOAD);
                assertTrue(i < 100_000, "the connection kept taking data");
            }
            stalled.reset();
            assertTrue(gone.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the reset session ends");

            RawWebSocket other = RawWebSocket.connect(
                    URI.create(container.baseUrl() + "/socket.io/?EIO=4&transport=websocket"), 0, WAIT);
            assertNotNull(other.readFrame());
            other.sendText("40");
            assertNotNull(sidOf(other.readFrame().text()));
            other.sendText("421[\"echo\",\"still here\"]");
            assertEquals("431[\"still here\"]", other.readFrame().text());
            other.close();
        } finally {
            server.close();
            Thread stop = new Thread(container::close, "stop-" + kind);
            stop.setDaemon(true);
            stop.start();
            stop.join(WAIT.toMillis());
            assertFalse(stop.isAlive(), "the container stops: none of its threads is stuck on the reset connection");
        }
    }

    private static String sidOf(String connectPacket) {
        for (String packet : RawClient.packets(connectPacket)) {
            Matcher m = SID.matcher(packet);
            if (m.matches()) {
                return m.group(1);
            }
        }
        throw new AssertionError("no CONNECT answer in " + connectPacket);
    }

    private static void awaitSockets(SocketIoServer server, int count) throws InterruptedException {
        Await.until(() -> server.stats().sockets() == count, WAIT,
                () -> "expected " + count + " sockets, server holds " + server.stats());
    }

    /** A server whose heartbeats are too slow to end any session while a case runs. */
    private static SocketIoServer.Builder slowHeartbeats() {
        return SocketIoServer.builder()
                .pingInterval(Duration.ofSeconds(60))
                .pingTimeout(Duration.ofSeconds(60));
    }
}
