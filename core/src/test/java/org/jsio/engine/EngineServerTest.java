package org.jsio.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The engine's behaviour over both transports, driven through in-memory exchanges. */
class EngineServerTest {
    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    private EngineServer server = echoServer(Duration.ofSeconds(25), Duration.ofSeconds(20));

    private EngineServer echoServer(Duration interval, Duration timeout) {
        return new EngineServer(EngineOptions.builder().pingInterval(interval).pingTimeout(timeout)
                .maxHttpBufferSize(100).build(), new EngineHandler() {
                    @Override
                    public void onOpen(EngineSocket socket) {
                        events.add("open");
                    }

                    @Override
                    public void onMessage(EngineSocket socket, String text) {
                        socket.send(text);
                    }

                    @Override
                    public void onBinary(EngineSocket socket, byte[] data) {
                        socket.send(data);
                    }

                    @Override
                    public void onClose(EngineSocket socket, DisconnectReason reason) {
                        events.add("close:" + reason.text());
                    }
                });
    }

    private void awaitEvent(String expected) throws InterruptedException {
        List<String> seen = new java.util.ArrayList<>();
        while (true) {
            String e = events.poll(5, TimeUnit.SECONDS);
            if (e == null) {
                throw new AssertionError("no event " + expected + "; saw " + seen);
            }
            if (e.equals(expected)) {
                return;
            }
            seen.add(e);
        }
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private FakeExchange.Response request(FakeExchange exchange) throws Exception {
        server.handleRequest(exchange);
        return exchange.await();
    }

    private String handshake() throws Exception {
        FakeExchange.Response r = request(new FakeExchange("GET", "EIO=4&transport=polling"));
        assertEquals(200, r.status());
        String body = r.text();
        assertTrue(body.startsWith("0{\"sid\":\""), body);
        return body.substring(9, body.indexOf('"', 9));
    }

    private FakeExchange get(String sid) {
        FakeExchange ex = new FakeExchange("GET", "EIO=4&transport=polling&sid=" + sid);
        server.handleRequest(ex);
        return ex;
    }

    private FakeExchange.Response post(String sid, String body) throws Exception {
        return request(new FakeExchange("POST", "EIO=4&transport=polling&sid=" + sid).body(body));
    }

    @Test
    void openPacketHasExactlyTheFiveKeys() throws Exception {
        FakeExchange.Response r = request(new FakeExchange("GET", "EIO=4&transport=polling"));
        assertTrue(r.text().matches("0\\{\"sid\":\"[A-Za-z0-9_-]{20}\",\"upgrades\":\\[\"websocket\"],"
                + "\"pingInterval\":25000,\"pingTimeout\":20000,\"maxPayload\":100}"), r.text());
        assertEquals("text/plain; charset=UTF-8", r.headers().get("Content-Type"));
        assertEquals("open", events.poll(1, TimeUnit.SECONDS));
    }

    @Test
    void noUpgradeIsOfferedWhereTheContainerCannotAcceptOne() throws Exception {
        FakeExchange ex = new FakeExchange("GET", "EIO=4&transport=polling");
        ex.canUpgrade = false;
        String open = request(ex).text();
        assertTrue(open.contains("\"upgrades\":[],"), open);
    }

    @Test
    void errorTableOfTheReferenceServer() throws Exception {
        assertError(new FakeExchange("GET", "EIO=3&transport=polling"), 400, 5, "Unsupported protocol version");
        assertError(new FakeExchange("GET", "transport=polling"), 400, 5, "Unsupported protocol version");
        assertError(new FakeExchange("GET", "EIO=4&transport=smoke"), 400, 0, "Transport unknown");
        assertError(new FakeExchange("GET", "EIO=4"), 400, 0, "Transport unknown");
        assertError(new FakeExchange("POST", "EIO=4&transport=polling"), 400, 2, "Bad handshake method");
        assertError(new FakeExchange("GET", "EIO=4&transport=polling&sid=nope"), 400, 1, "Session ID unknown");
        assertError(new FakeExchange("GET", "EIO=4&transport=websocket"), 400, 3, "Bad request");
        assertError(new FakeExchange("GET", "EIO=4&transport=polling").header("Origin", "http://evil.example")
                .header("Host", "127.0.0.1:80"), 400, 3, "Bad request");
        String sid = handshake();
        FakeExchange.Response put = request(new FakeExchange("PUT", "EIO=4&transport=polling&sid=" + sid));
        assertEquals(500, put.status());
    }

    private void assertError(FakeExchange ex, int status, int code, String message) throws Exception {
        FakeExchange.Response r = request(ex);
        assertEquals(status, r.status());
        assertEquals("{\"code\":" + code + ",\"message\":\"" + message + "\"}", r.text());
        assertEquals("application/json", r.headers().get("Content-Type"));
    }

    @Test
    void postThenGetEchoesTextAndBinaryInOnePayload() throws Exception {
        String sid = handshake();
        FakeExchange.Response ok = post(sid, "4hello\u001ebAQIDBA==\u001e4\u00e9t\u00e9");
        assertEquals(200, ok.status());
        assertEquals("ok", ok.text());
        assertEquals("4hello\u001ebAQIDBA==\u001e4\u00e9t\u00e9", get(sid).await().text());
    }

    @Test
    void heldGetIsAnsweredWhenDataArrives() throws Exception {
        String sid = handshake();
        FakeExchange held = get(sid);
        assertTrue(held.suspended);
        assertFalse(held.response.isDone());
        post(sid, "4later");
        assertEquals("4later", held.await().text());
    }

    @Test
    void bodyLimitIsCountedInBytesAndKeepsTheSession() throws Exception {
        String sid = handshake();
        String exactly100 = "4" + "\u00e9".repeat(49) + "x"; // 1 + 98 + 1 bytes
        assertEquals(200, post(sid, exactly100).status());
        assertEquals(413, post(sid, exactly100 + "x").status());
        assertEquals(exactly100, get(sid).await().text());
    }

    @Test
    void duplicateGetClosesTheSession() throws Exception {
        String sid = handshake();
        events.clear();
        FakeExchange first = get(sid);
        FakeExchange.Response second = get(sid).await();
        assertEquals(400, second.status());
        assertEquals("1", first.await().text());
        assertEquals("close:transport error", events.poll(1, TimeUnit.SECONDS));
        assertEquals(400, get(sid).await().status());
    }

    @Test
    void abortedGetClosesTheSession() throws Exception {
        String sid = handshake();
        events.clear();
        FakeExchange held = get(sid);
        held.onAbort.run();
        assertEquals("close:transport close", events.poll(1, TimeUnit.SECONDS));
        assertEquals(0, server.sessionCount());
    }

    @Test
    void invalidPacketClosesTheSession() throws Exception {
        String sid = handshake();
        events.clear();
        assertEquals(200, post(sid, "abc").status());
        assertEquals("close:parse error", events.poll(1, TimeUnit.SECONDS));
        assertEquals(400, get(sid).await().status());
    }

    @Test
    void clientCloseReleasesTheHeldGetWithNoop() throws Exception {
        String sid = handshake();
        FakeExchange held = get(sid);
        post(sid, "1");
        assertEquals("6", held.await().text());
        assertEquals(400, get(sid).await().status());
    }

    @Test
    void aPollRacingTheClientsCloseGetsNoopThenTheSessionIsGone() throws Exception {
        String sid = handshake();
        post(sid, "1");
        assertEquals("6", get(sid).await().text());
        assertEquals("{\"code\":1,\"message\":\"Session ID unknown\"}", get(sid).await().text());
        assertEquals(0, server.sessionCount());
    }

    @Test
    void aClosedSessionIsForgottenEvenWithoutALastPoll() throws Exception {
        server.close();
        server = echoServer(Duration.ofSeconds(25), Duration.ofMillis(50));
        String sid = handshake();
        post(sid, "1");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (server.sessionCount() > 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(0, server.sessionCount());
        assertEquals(400, get(sid).await().status());
    }

    @Test
    void anErrorWhilePingingOneSessionStopsNoOtherSessionsHeartbeat() throws Exception {
        server.close();
        server = echoServer(Duration.ofMillis(50), Duration.ofSeconds(5));
        String failing = handshake();
        String healthy = handshake();
        // a held poll whose answer fails with an Error (FakeExchange: "responded twice")
        FakeExchange broken = new FakeExchange("GET", "EIO=4&transport=polling&sid=" + failing);
        broken.response.complete(null);
        server.handleRequest(broken);
        assertTrue(broken.suspended, "the poll is held");
        for (int i = 0; i < 3; i++) {
            assertEquals("2", get(healthy).await().text(), "ping " + (i + 1) + " of the other session");
            assertEquals(200, post(healthy, "3").status());
        }
    }

    /** Opens {@code n} sessions directly over WebSocket, each past its open packet. */
    private List<FakeExchange> openWebSockets(int n) throws InterruptedException {
        List<FakeExchange> opened = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            FakeExchange ws = new FakeExchange("GET", "EIO=4&transport=websocket").header("Upgrade", "websocket");
            server.handleRequest(ws);
            assertTrue(((String) ws.socket.next()).startsWith("0{"));
            opened.add(ws);
        }
        return opened;
    }

    @Test
    void aFanOutIsWrittenByWriterThreadsThatEndWithTheServer() throws Exception {
        List<FakeExchange> clients = openWebSockets(10);
        List<Packet> hello = List.of(Packet.message("hello"));
        try (FanOut fanOut = new FanOut()) {
            for (EngineSocket s : server.sessions()) {
                s.send(hello, fanOut);
            }
        }
        java.util.Set<Thread> writers = new java.util.HashSet<>();
        for (FakeExchange ws : clients) {
            assertEquals("4hello", ws.socket.next());
            writers.add(ws.socket.sender);
        }
        for (Thread t : writers) {
            assertTrue(t.getName().startsWith("engineio-writer-"), t.getName());
            assertNotSame(Thread.currentThread(), t);
        }
        server.close();
        for (Thread t : writers) {
            assertFalse(t.isAlive(), t.getName() + " outlived the server");
        }
    }

    @Test
    void aPollDuringTheUpgradeIsReleasedWithNoop() throws Exception {
        String sid = handshake();
        FakeExchange ws = new FakeExchange("GET", "EIO=4&transport=websocket&sid=" + sid).header("Upgrade", "websocket");
        server.handleRequest(ws);
        ws.listener.onText("2probe");
        assertEquals("3probe", ws.socket.next());
        assertEquals("6", get(sid).await().text());
    }

    @Test
    void aPollRacingTheUpgradePacketIsRefused() throws Exception {
        String sid = handshake();
        FakeExchange ws = new FakeExchange("GET", "EIO=4&transport=websocket&sid=" + sid).header("Upgrade", "websocket");
        server.handleRequest(ws);
        ws.listener.onText("2probe");
        assertEquals("3probe", ws.socket.next());
        server.upgradeNoopDelayMillis = TimeUnit.MINUTES.toMillis(1); // the race, decided for the "5"
        FakeExchange poll = get(sid);
        ws.listener.onText("5");
        FakeExchange.Response r = poll.await();
        assertEquals(400, r.status());
        assertEquals("{\"code\":3,\"message\":\"Bad request\"}", r.text());
    }

    @Test
    void octetStreamPostIsRefused() throws Exception {
        String sid = handshake();
        FakeExchange ex = new FakeExchange("POST", "EIO=4&transport=polling&sid=" + sid)
                .header("Content-Type", "application/octet-stream").body("4x");
        assertEquals(400, request(ex).status());
        assertEquals(0, server.sessionCount());
    }

    @Test
    void heartbeatOverPollingAndTimeoutJudgedByTheClock() throws Exception {
        server.close();
        server = echoServer(Duration.ofMillis(100), Duration.ofMillis(100));
        String sid = handshake();
        assertEquals("2", get(sid).await().text());
        post(sid, "3");
        assertEquals("2", get(sid).await().text());
        // no pong now: the session dies, and a request after the deadline is refused
        FakeExchange held = get(sid);
        assertEquals("1", held.await().text());
        assertEquals(400, get(sid).await().status());
        awaitEvent("close:ping timeout");
    }

    @Test
    void oneHeartbeatTimerServesEverySessionAndStopsWithTheLast() throws Exception {
        server.close();
        server = echoServer(Duration.ofMillis(100), Duration.ofMillis(200));
        assertEquals(Duration.ofMillis(10), EngineServer.sweepPeriod(server.options()));
        List<FakeExchange> sockets = openWebSockets(20);
        // the sweep is out of the queue while it runs, so 0 or 1; never one timer per session
        assertTrue(server.scheduledTasks() <= 1, server.scheduledTasks() + " timers for 20 sessions");
        // every session is pinged; the even ones answer and stay, the odd ones never do
        for (int i = 0; i < sockets.size(); i++) {
            assertEquals("2", sockets.get(i).socket.next(), "first ping to " + i);
            if (i % 2 == 0) {
                sockets.get(i).listener.onText("3");
            }
        }
        for (int i = 1; i < sockets.size(); i += 2) {
            assertTrue(sockets.get(i).socket.awaitClosed(), "silent session " + i + " ended");
        }
        awaitEvent("close:ping timeout");
        for (int i = 0; i < sockets.size(); i += 2) {
            assertEquals("2", sockets.get(i).socket.next(), "second ping to " + i);
            sockets.get(i).listener.onText("3");
        }
        assertEquals(10, server.sessionCount());
        for (int i = 0; i < sockets.size(); i += 2) {
            sockets.get(i).listener.onClose(1000, "");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (server.sessionCount() + server.scheduledTasks() > 0) {
            assertTrue(System.nanoTime() < deadline, server.sessionCount() + " sessions and "
                    + server.scheduledTasks() + " timers left");
            Thread.onSpinWait();
        }
    }

    @Test
    void websocketSessionSendsOpenFirstAndEchoesFrames() throws Exception {
        FakeExchange ex = new FakeExchange("GET", "EIO=4&transport=websocket").header("Upgrade", "websocket");
        server.handleRequest(ex);
        String open = (String) ex.socket.next();
        assertTrue(open.contains("\"upgrades\":[]"), open);
        ex.listener.onText("4hi");
        assertEquals("4hi", ex.socket.next());
        ex.listener.onBinary(new byte[] {1, 2});
        assertArrayEquals(new byte[] {1, 2}, (byte[]) ex.socket.next());
        ex.listener.onText("4" + "x".repeat(200));
        assertTrue(ex.socket.awaitClosed());
        assertEquals(1009, ex.socket.closeCode);
    }

    @Test
    void upgradeFromPollingToWebsocket() throws Exception {
        String sid = handshake();
        FakeExchange held = get(sid);
        FakeExchange ws = new FakeExchange("GET", "EIO=4&transport=websocket&sid=" + sid).header("Upgrade", "websocket");
        server.handleRequest(ws);
        ws.listener.onText("2probe");
        assertEquals("3probe", ws.socket.next());
        assertEquals("6", held.await().text());
        ws.listener.onText("5");
        ws.listener.onText("4after");
        assertEquals("4after", ws.socket.next());
        assertEquals(400, get(sid).await().status());
        assertEquals(EngineOptions.Transport.WEBSOCKET, server.session(sid).transport());
        // a second WebSocket for the same session is closed at once
        FakeExchange again = new FakeExchange("GET", "EIO=4&transport=websocket&sid=" + sid).header("Upgrade", "websocket");
        server.handleRequest(again);
        assertTrue(again.socket.awaitClosed());
        ws.listener.onText("4still");
        assertEquals("4still", ws.socket.next());
    }

    /**
     * An adapter that throws when a held poll is answered (it should not) does not keep the
     * session alive: a server-side close still removes it, and reports it once.
     */
    @Test
    void closeEndsTheSessionWhenItsHeldPollCannotBeAnswered() throws Exception {
        String sid = handshake();
        FakeExchange held = get(sid);
        assertTrue(held.suspended, "the GET is held");
        held.respondFailure = new IllegalStateException("adapter broken");
        server.session(sid).close();
        assertEquals(0, server.sessionCount());
        assertEquals(List.of("open", "close:server disconnect"), List.copyOf(events));
    }

    /**
     * The server's shutdown ends every session even when answering one held poll throws in the
     * adapter: the others are still told, and nothing is left behind.
     */
    @Test
    void shutdownEndsEverySessionWhenOneHeldPollCannotBeAnswered() throws Exception {
        String first = handshake();
        String second = handshake();
        FakeExchange broken = get(first);
        FakeExchange fine = get(second);
        broken.respondFailure = new IllegalStateException("adapter broken");
        server.close();
        assertEquals("1", fine.await().text(), "the other session's poll is answered with a close");
        assertEquals(0, server.sessionCount());
        assertEquals(2, events.stream().filter(e -> e.equals("close:server shutting down")).count(), events.toString());
    }

    @Test
    void serverCloseOverPollingDeliversTheCloseOnTheNextGet() throws Exception {
        String sid = handshake();
        server.session(sid).send("bye");
        server.session(sid).close();
        assertEquals("4bye\u001e1", get(sid).await().text());
        assertEquals(0, server.sessionCount());
        assertEquals(List.of("open", "close:server disconnect"), List.copyOf(events));
    }
}
