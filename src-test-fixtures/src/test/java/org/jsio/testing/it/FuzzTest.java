package org.jsio.testing.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.socket.client.IO;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.jsio.servlet.SocketIoServlet;
import org.jsio.socketio.Ack;
import org.jsio.socketio.ServerStats;
import org.jsio.socketio.SocketIoServer;
import org.jsio.testing.Await;
import org.jsio.testing.EmbeddedContainer;
import org.jsio.testing.ErrorOutput;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random and mutated Engine.IO and Socket.IO input, over long-polling and over WebSocket, against
 * a real embedded container, while an official Java client on the same server keeps talking.
 *
 * <p>Every case opens a session, joins the main namespace, sends hostile packets, and then asks
 * for an acknowledgement. The case passes when that session either answers (the input was
 * harmless) or is closed (the reference server's answer to bad input), never with a 500 and never
 * stuck. Afterwards the server must hold nothing but the well-behaved client, and nothing from
 * this library may have logged an error or a stack trace.
 *
 * <p>The generator is seeded; the seed is printed and is part of every failure message. Rerun or
 * enlarge a run with {@code -Djsio.fuzz.seed=<seed>} and {@code -Djsio.fuzz.iterations=<cases per
 * container>} (default 120), for example
 * {@code mvn -B -ntp -pl src-test-fixtures -am verify -Dtest=FuzzTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Djsio.fuzz.iterations=5000}; {@code -Djsio.fuzz.kinds=tomcat,undertow} runs on those containers only.
 */
class FuzzTest {
    private static final long SEED = Long.getLong("jsio.fuzz.seed", System.nanoTime());
    private static final int ITERATIONS = Integer.getInteger("jsio.fuzz.iterations", 120);
    /** The containers to run on (all when empty): {@code -Djsio.fuzz.kinds=tomcat,undertow}. */
    private static final List<String> KINDS = System.getProperty("jsio.fuzz.kinds", "").isBlank() ? List.of()
            : List.of(System.getProperty("jsio.fuzz.kinds").split(","));
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final int MAX_BUFFER = 100_000;
    private static final String ALIVE_ACK_ID = "987654";
    private static final Pattern STACK_FRAME_OF_OURS = Pattern.compile("(?m)^\\s+at org\\.jsio\\.(engine|socketio|servlet|json)\\.");
    private static final Pattern ERROR_OF_OURS = Pattern.compile("(?m)^.*\\] ERROR org\\.jsio\\..*$");

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"jetty", EmbeddedContainer.JETTY_JAKARTA, "tomcat", EmbeddedContainer.TOMCAT_JAKARTA,
            EmbeddedContainer.UNDERTOW})
    void hostileInputEndsInAnAnswerOrAClosedSessionAndLeavesNothingBehind(String kind) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(KINDS.isEmpty() || KINDS.contains(kind),
                "not among -Djsio.fuzz.kinds=" + String.join(",", KINDS));
        long seed = SEED ^ kind.hashCode();
        OUTCOMES.set(0, 0);
        OUTCOMES.set(1, 0);
        System.out.println("FuzzTest " + kind + ": seed " + seed + ", " + ITERATIONS
                + " cases (rerun with -Djsio.fuzz.seed=" + SEED + ")");
        SocketIoServer server = SocketIoServer.builder()
                .pingInterval(Duration.ofMillis(1000))
                .pingTimeout(Duration.ofMillis(2000))
                .maxHttpBufferSize(MAX_BUFFER)
                .namespaces("/", "/other")
                .build();
        server.on("echo", (socket, args) -> Ack.of(args));
        server.of("/other").on("echo", (socket, args) -> Ack.of(args));
        server.onConnect((socket, auth) -> socket.enterRoom("fuzz"));
        try (ErrorOutput log = new ErrorOutput();
                EmbeddedContainer container = EmbeddedContainer.create(kind)
                        .mount("/socket.io/*", new RecordingServlet(new SocketIoServlet(server))).start(0)) {
            io.socket.client.Socket good = IO.socket(URI.create(container.baseUrl() + "/"), IO.Options.builder()
                    .setForceNew(true).setReconnection(false).setTransports(new String[] {"websocket"}).build());
            try {
                good.connect();
                assertEquals(0, echo(good, 0), "the well-behaved client must connect");
                // The well-behaved client's handler may still be finishing on a container thread
                // (Tomcat) when its acknowledgement arrives: the baseline is the idle server.
                Await.until(() -> server.stats().containerHandlers() == 0, WAIT,
                        () -> "a handler still running with nothing to do: " + server.stats());
                ServerStats baseline = server.stats();
                RawClient raw = new RawClient(container.baseUrl() + "/socket.io/");
                URI ws = URI.create(container.baseUrl() + "/socket.io/?EIO=4&transport=websocket");
                Random random = new Random(seed);
                for (int i = 0; i < ITERATIONS; i++) {
                    List<Input> inputs = Generator.inputs(random);
                    boolean polling = random.nextBoolean();
                    String what = "case " + i + " (seed " + SEED + ", " + kind + ", "
                            + (polling ? "polling" : "websocket") + "): " + inputs;
                    try {
                        if (polling) {
                            pollingCase(raw, inputs, random, what, server);
                        } else {
                            webSocketCase(ws, inputs, what);
                        }
                    } catch (AssertionError e) {
                        throw e;
                    } catch (Exception e) {
                        throw new AssertionError(what + ": " + e, e);
                    }
                    if (i % 10 == 9) {
                        assertEquals(i, echo(good, i), "the well-behaved client, " + what);
                    }
                }
                System.out.println("FuzzTest " + kind + ": " + OUTCOMES + " cases [still answering, closed]");
                awaitStats(server, baseline, "after " + ITERATIONS + " cases (seed " + SEED + ", " + kind + ")");
                assertEquals(-1, echo(good, -1), "the well-behaved client at the end");
                assertTrue(good.connected(), "the well-behaved client stayed connected");
            } finally {
                good.close();
                server.close();
            }
            String text = log.text();
            assertTrue(!ERROR_OF_OURS.matcher(text).find() && !STACK_FRAME_OF_OURS.matcher(text).find(),
                    "client input made the server log an error or a stack trace (seed " + SEED + "): "
                            + log.warningsAndErrors());
        }
    }

    // ---------------------------------------------------------------- the two transports

    /** How the cases ended: [still answering, closed]. */
    private static final java.util.concurrent.atomic.AtomicIntegerArray OUTCOMES =
            new java.util.concurrent.atomic.AtomicIntegerArray(2);

    private static void pollingCase(RawClient raw, List<Input> inputs, Random random, String what,
            SocketIoServer server) throws Exception {
        HttpResponse<String> open = raw.get("EIO=4&transport=polling");
        assertEquals(200, open.statusCode(), what);
        String sid = RawClient.openPacketSid(open.body());
        String q = RawClient.polling(sid);
        assertEquals(200, raw.post(q, "40").statusCode(), what);
        String connect = raw.get(q).body();
        assertTrue(connect.startsWith("40{\"sid\":"), what + ": " + connect);
        if (random.nextInt(8) == 0) {
            // hostile query strings on the same endpoint
            for (String query : List.of("EIO=3&transport=polling&sid=" + sid, "EIO=4&transport=flash&sid=" + sid,
                    "EIO=4&transport=polling&sid=" + sid + "x", "EIO=4&transport=websocket&sid=" + sid,
                    "EIO=%FF&transport=polling", "transport=polling&sid=%00")) {
                int status = raw.get(query).statusCode();
                assertTrue(status == 400 || status == 200, what + ": GET ?" + query + " answered " + status);
            }
        }
        if (random.nextInt(6) == 0) {
            upgradeAttempt(raw, sid, random, what);
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int k = 0; k < inputs.size(); k++) {
            if (k > 0) {
                body.write(0x1e);
            }
            body.writeBytes(inputs.get(k).asPollingRecord());
        }
        if (random.nextInt(10) == 0) {
            // overlapping POSTs (and a second GET) on the same session
            List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> racing = List.of(
                    RawClient.sendAsync(raw.request(q).header("Content-Type", "text/plain;charset=UTF-8")
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build()),
                    RawClient.sendAsync(raw.request(q).header("Content-Type", "text/plain;charset=UTF-8")
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofString("42[\"echo\"]")).build()),
                    raw.getAsync(q));
            for (java.util.concurrent.CompletableFuture<HttpResponse<String>> f : racing) {
                int status = f.get(WAIT.toSeconds(), TimeUnit.SECONDS).statusCode();
                assertTrue(status == 200 || status == 400 || status == 413, what + ": racing request answered " + status);
            }
        } else {
            HttpResponse<String> posted = raw.post(q, body.toByteArray());
            int status = posted.statusCode();
            assertTrue(status == 200 || status == 400 || status == 413, what + ": POST answered " + status);
        }
        // is the session still answering, or closed?
        HttpResponse<String> probe = raw.post(q, "42" + ALIVE_ACK_ID + "[\"echo\",\"alive\"]");
        if (probe.statusCode() != 200) {
            assertEquals(400, probe.statusCode(), what + ": probe answered " + probe.statusCode());
            OUTCOMES.incrementAndGet(1);
            return;
        }
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() - deadline < 0) {
            HttpResponse<String> r;
            try {
                r = raw.get(q);
            } catch (java.net.http.HttpTimeoutException e) {
                printThreads("FuzzTest threads when a GET had no answer:");
                throw new AssertionError(what + ": a GET had no answer; " + serverView(server, sid), e);
            }
            if (r.statusCode() == 400) {
                OUTCOMES.incrementAndGet(1);
                return; // closed
            }
            assertEquals(200, r.statusCode(), what + ": GET answered " + r.statusCode());
            for (String packet : RawClient.packets(r.body())) {
                if (packet.equals("1")) {
                    OUTCOMES.incrementAndGet(1);
                    return; // closed
                }
                if (packet.equals("2")) {
                    raw.post(q, "3");
                }
                if (packet.equals("43" + ALIVE_ACK_ID + "[\"alive\"]")) {
                    raw.post(q, "1");
                    OUTCOMES.incrementAndGet(0);
                    return; // alive; now closed by us
                }
            }
        }
        fail(what + ": the session neither answered nor closed");
    }

    /** Every thread's name, state and top frames, to the test's output. */
    private static void printThreads(String title) {
        StringBuilder threads = new StringBuilder(title).append('\n');
        Thread.getAllStackTraces().forEach((thread, stack) -> {
            threads.append(thread.getName()).append(' ').append(thread.getState()).append('\n');
            for (int i = 0; i < Math.min(stack.length, 16); i++) {
                threads.append("    at ").append(stack[i]).append('\n');
            }
        });
        System.out.println(threads);
    }

    /** What the server holds for {@code sid}, for a failure message. */
    private static String serverView(SocketIoServer server, String sid) {
        org.jsio.engine.EngineSocket session = server.engine().session(sid);
        return (session == null ? "the server no longer knows the session"
                : "the session is " + (session.isOpen() ? "open" : "closing") + " on " + session.transport()
                        + ", a poll " + (session.pollWaiting() ? "held" : "not held") + ", "
                        + session.bufferedBytes() + " bytes buffered; " + server.stats())
                + "; its requests as the servlet saw them: " + RecordingServlet.history(sid);
    }

    /**
     * The Socket.IO servlet with a record of the last requests of each session: when each reached
     * the servlet and how it ended (answered during its dispatch, or held and completed later), so
     * that a request a client waits for in vain shows whether it got to the server and whether the
     * server finished it.
     */
    private static final class RecordingServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;
        private static final long START = System.nanoTime();
        private static final AtomicLong SEQUENCE = new AtomicLong();
        private static final Map<String, Deque<String>> HISTORY = new ConcurrentHashMap<>();
        private final transient HttpServlet delegate;

        RecordingServlet(HttpServlet delegate) {
            this.delegate = delegate;
        }

        @Override
        public void init(ServletConfig config) throws ServletException {
            super.init(config);
            delegate.init(config);
        }

        @Override
        public void destroy() {
            delegate.destroy();
            HISTORY.clear();
        }

        @Override
        public void service(ServletRequest req, ServletResponse res) throws ServletException, IOException {
            HttpServletRequest request = (HttpServletRequest) req;
            String query = request.getQueryString();
            int at = query == null ? -1 : query.indexOf("sid=");
            if (at < 0) {
                delegate.service(req, res);
                return;
            }
            String sid = query.substring(at + 4).split("&", 2)[0];
            String what = request.getMethod() + " #" + SEQUENCE.incrementAndGet();
            record(sid, what + " arrived");
            try {
                delegate.service(req, res);
            } finally {
                if (!request.isAsyncStarted()) {
                    record(sid, what + " answered in its dispatch, " + ((HttpServletResponse) res).getStatus());
                } else {
                    watch(request, sid, what);
                }
            }
        }

        private static void watch(HttpServletRequest request, String sid, String what) {
            try {
                // both calls throw if the exchange completed meanwhile, on another thread
                request.getAsyncContext().addListener(new AsyncListener() {
                    @Override
                    public void onComplete(AsyncEvent event) {
                        record(sid, what + " completed, "
                                + ((HttpServletResponse) event.getSuppliedResponse()).getStatus());
                    }

                    @Override
                    public void onTimeout(AsyncEvent event) {
                        record(sid, what + " timed out");
                    }

                    @Override
                    public void onError(AsyncEvent event) {
                        record(sid, what + " failed: " + event.getThrowable());
                    }

                    @Override
                    public void onStartAsync(AsyncEvent event) {
                    }
                });
                record(sid, what + " held");
            } catch (IllegalStateException e) {
                record(sid, what + " completed before it could be watched");
            }
        }

        private static void record(String sid, String event) {
            Deque<String> events = HISTORY.computeIfAbsent(sid, k -> new ArrayDeque<>());
            synchronized (events) {
                events.addLast((System.nanoTime() - START) / 1_000_000 + " ms: " + event);
                if (events.size() > 16) {
                    events.removeFirst();
                }
            }
        }

        static String history(String sid) {
            Deque<String> events = HISTORY.get(sid);
            if (events == null) {
                return "none";
            }
            synchronized (events) {
                return String.join("; ", events);
            }
        }
    }

    /** A WebSocket that probes this polling session with right, wrong or half an upgrade, then vanishes. */
    private static void upgradeAttempt(RawClient raw, String sid, Random random, String what) throws Exception {
        URI uri = raw.uri("EIO=4&transport=websocket&sid=" + sid);
        try (RawWebSocket ws = RawWebSocket.connect(uri, 0, WAIT)) {
            if (ws.status() != 101) {
                assertEquals(400, ws.status(), what + ": upgrade answered " + ws.status());
                return;
            }
            String[][] scripts = {{"2probe"}, {"2probe", "5"}, {"5"}, {"2probe", "x"}, {"3probe"}, {"2probe", "2probe"},
                {"2probe", "40"}, {"4probe"}};
            for (String text : scripts[random.nextInt(scripts.length)]) {
                ws.sendText(text);
            }
            if (random.nextBoolean()) {
                ws.sendFrame(true, RawWebSocket.BINARY, new byte[] {1, 2, 3});
            }
            if (random.nextBoolean()) {
                ws.reset();
            }
        } catch (java.io.IOException e) {
            // closed by the server: an outcome the reference server has too
        }
    }

    private static void webSocketCase(URI uri, List<Input> inputs, String what) throws Exception {
        try (RawWebSocket ws = RawWebSocket.connect(uri, 0, WAIT)) {
            assertEquals(101, ws.status(), what);
            RawWebSocket.Frame open = ws.readFrame();
            assertTrue(open != null && open.text().startsWith("0{\"sid\":"), what);
            ws.sendText("40");
            RawWebSocket.Frame connect = ws.readFrame();
            assertTrue(connect != null && connect.text().startsWith("40{\"sid\":"), what);
            try {
                for (Input input : inputs) {
                    input.sendOver(ws);
                }
                ws.sendText("42" + ALIVE_ACK_ID + "[\"echo\",\"alive\"]");
            } catch (java.io.IOException e) {
                OUTCOMES.incrementAndGet(1);
                return; // the server closed the connection while we were sending: closed
            }
            while (true) {
                RawWebSocket.Frame f;
                try {
                    f = ws.readFrame();
                } catch (SocketTimeoutException e) {
                    throw new AssertionError(what + ": the session neither answered nor closed", e);
                }
                if (f == null || f.opcode() == RawWebSocket.CLOSE) {
                    OUTCOMES.incrementAndGet(1);
                    return; // closed
                }
                if (f.opcode() == RawWebSocket.TEXT) {
                    String text = f.text();
                    if (text.equals("2")) {
                        ws.sendText("3");
                    } else if (text.equals("43" + ALIVE_ACK_ID + "[\"alive\"]")) {
                        ws.sendFrame(true, RawWebSocket.CLOSE, new byte[] {0x03, (byte) 0xe8});
                        OUTCOMES.incrementAndGet(0);
                        return; // alive; now closed by us
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- checks

    private static int echo(io.socket.client.Socket client, int value) throws InterruptedException {
        BlockingQueue<Object[]> answer = new ArrayBlockingQueue<>(1);
        client.emit("echo", new Object[] {value}, (io.socket.client.Ack) answer::add);
        Object[] args = answer.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        if (args == null) {
            throw new AssertionError("no acknowledgement within " + WAIT + " (seed " + SEED + ")");
        }
        return ((Number) args[0]).intValue();
    }

    private static void awaitStats(SocketIoServer server, ServerStats expected, String what) throws InterruptedException {
        Await.until(() -> sameCounts(server.stats(), expected), WAIT.multipliedBy(2),
                () -> what + ": the server still holds " + server.stats() + ", expected " + expected);
    }

    private static boolean sameCounts(ServerStats a, ServerStats b) {
        return a.toString().equals(b.toString());
    }

    // ---------------------------------------------------------------- input

    /** One message of hostile input: a text or binary message, or raw bytes as a text message. */
    record Input(Kind kind, byte[] bytes) {
        enum Kind { TEXT, BINARY, BAD_UTF8, BAD_BASE64, WS_FRAGMENTS, WS_ODD_FRAME }

        static Input text(String s) {
            return new Input(Kind.TEXT, s.getBytes(StandardCharsets.UTF_8));
        }

        /** This message as one record of a polling payload. */
        byte[] asPollingRecord() {
            switch (kind) {
                case BINARY:
                    return ("b" + Base64.getEncoder().encodeToString(bytes)).getBytes(StandardCharsets.US_ASCII);
                case BAD_BASE64:
                    return ("b" + new String(bytes, StandardCharsets.ISO_8859_1)).getBytes(StandardCharsets.ISO_8859_1);
                default:
                    return bytes;
            }
        }

        void sendOver(RawWebSocket ws) throws java.io.IOException {
            switch (kind) {
                case BINARY:
                    ws.sendFrame(true, RawWebSocket.BINARY, bytes);
                    break;
                case WS_FRAGMENTS: {
                    int cut = bytes.length / 2;
                    ws.sendFrame(false, RawWebSocket.TEXT, java.util.Arrays.copyOfRange(bytes, 0, cut));
                    ws.sendFrame(true, 0x0, java.util.Arrays.copyOfRange(bytes, cut, bytes.length));
                    break;
                }
                case WS_ODD_FRAME:
                    // a stray continuation, a reserved opcode, or an unsolicited pong
                    int opcode = new int[] {0x0, 0x3, 0xB, RawWebSocket.PONG}[Math.floorMod(bytes.length, 4)];
                    ws.sendFrame(true, opcode, bytes);
                    break;
                case BAD_BASE64:
                    ws.sendFrame(true, RawWebSocket.TEXT, asPollingRecord());
                    break;
                default:
                    ws.sendFrame(true, RawWebSocket.TEXT, bytes);
            }
        }

        @Override
        public String toString() {
            String shown = kind == Kind.BINARY ? Base64.getEncoder().encodeToString(bytes)
                    : new String(bytes, StandardCharsets.UTF_8);
            if (shown.length() > 120) {
                shown = shown.substring(0, 120) + "...(" + bytes.length + " bytes)";
            }
            return kind + ":" + shown.replace("\u001e", "\\x1e");
        }
    }

    /** Builds hostile input from valid packets: truncated, mutated, and the classic attacks. */
    static final class Generator {
        private static final String[] VALID_SOCKET_IO = {
            "0", "0{\"token\":\"x\"}", "0/other,", "0/other,{\"a\":1}", "0/nowhere,", "1", "1/other,",
            "2[\"echo\",1]", "21[\"echo\",\"a\",{\"b\":[1,2,3]}]", "2/other,3[\"echo\",null]", "2[\"unknown\"]",
            "2[42]", "31[]", "3/other,7[\"x\"]", "4{\"message\":\"x\"}",
            "51-[\"echo\",{\"_placeholder\":true,\"num\":0}]", "52-2[\"echo\",{\"_placeholder\":true,\"num\":1},"
                    + "{\"_placeholder\":true,\"num\":0}]", "61-1[{\"_placeholder\":true,\"num\":0}]",
        };
        private static final String[] ENGINE_TYPES = {"0", "1", "2", "3", "5", "6", "7", "9", "a", "x", " ", ""};
        private static final String[] TOKENS = {
            "[", "]", "{", "}", "\"", ",", ":", "-", "/", "\\", "\u0000", "\u001e", "\ud800", "null", "true",
            "1e999999", "-1", "123456789012345678901234567890", "9223372036854775808", "NaN", "\"_placeholder\"",
            "{\"_placeholder\":true,\"num\":0}", "\u00e9", "\ufffd", "\n", "\r",
        };

        static List<Input> inputs(Random r) {
            int n = 1 + r.nextInt(4);
            List<Input> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.addAll(one(r));
            }
            return out;
        }

        private static List<Input> one(Random r) {
            switch (r.nextInt(14)) {
                case 0:
                    return List.of(Input.text(truncate(r, "4" + pick(r, VALID_SOCKET_IO))));
                case 1:
                case 2:
                    return List.of(Input.text("4" + mutate(r, pick(r, VALID_SOCKET_IO))));
                case 3:
                    return List.of(Input.text(pick(r, ENGINE_TYPES) + mutate(r, pick(r, VALID_SOCKET_IO))));
                case 4:
                    return attachments(r);
                case 5:
                    return List.of(Input.text("42[\"echo\"," + nested(r) + "]"));
                case 6:
                    return List.of(Input.text("42[\"echo\"," + number(r) + "]"));
                case 7:
                    return List.of(Input.text("4" + (r.nextInt(7)) + idOrCount(r) + "[\"echo\"]"));
                case 8:
                    return List.of(new Input(Input.Kind.BAD_BASE64, pick(r, new String[] {
                        "!!!!", "QQ", "Q===", "====", "QUJD\u00ff", "AAAA AAAA", "%%", ""}).getBytes(StandardCharsets.ISO_8859_1)));
                case 9:
                    return List.of(new Input(Input.Kind.BAD_UTF8, badUtf8(r)));
                case 10:
                    return List.of(new Input(Input.Kind.BINARY, randomBytes(r, r.nextInt(64))));
                case 11:
                    return List.of(new Input(r.nextBoolean() ? Input.Kind.WS_FRAGMENTS : Input.Kind.WS_ODD_FRAME,
                            ("42[\"echo\",\"" + "x".repeat(r.nextInt(40)) + "\"]").getBytes(StandardCharsets.UTF_8)));
                case 12:
                    return List.of(Input.text("4" + pick(r, new String[] {"0", "2", "3"}) + "/" + namespace(r) + ","
                            + (r.nextBoolean() ? "[\"echo\"]" : "")));
                default: {
                    StringBuilder sb = new StringBuilder("4");
                    int len = r.nextInt(12);
                    for (int i = 0; i < len; i++) {
                        sb.append(pick(r, TOKENS));
                    }
                    return List.of(Input.text(sb.toString()));
                }
            }
        }

        /** A binary packet header and its attachments, counted right or wrong, in or out of order. */
        private static List<Input> attachments(Random r) {
            String[] counts = {"1", "2", "0", "-1", "10", "11", "99999999999", "2147483648", "00001", ""};
            String count = pick(r, counts);
            String[] placeholders = {
                "{\"_placeholder\":true,\"num\":0}", "{\"_placeholder\":true,\"num\":-1}",
                "{\"_placeholder\":true,\"num\":\"0\"}", "{\"_placeholder\":true,\"num\":1.5}",
                "{\"_placeholder\":true,\"num\":99}", "{\"_placeholder\":true}", "{\"_placeholder\":\"true\",\"num\":0}",
                "{\"_placeholder\":true,\"num\":1e10}", "[[[{\"_placeholder\":true,\"num\":0}]]]",
                "{\"_placeholder\":true,\"num\":4294967296}",
            };
            List<Input> out = new ArrayList<>();
            if (r.nextInt(4) == 0) {
                out.add(new Input(Input.Kind.BINARY, randomBytes(r, 3))); // attachment before any header
            }
            out.add(Input.text("4" + (r.nextBoolean() ? "5" : "6") + count + "-" + (r.nextBoolean() ? "3" : "")
                    + "[\"echo\"," + pick(r, placeholders) + "]"));
            int sent = r.nextInt(4);
            for (int i = 0; i < sent; i++) {
                if (r.nextInt(5) == 0) {
                    out.add(Input.text("42[\"echo\",\"between\"]")); // a text packet where an attachment belongs
                }
                out.add(new Input(Input.Kind.BINARY, randomBytes(r, r.nextInt(16))));
            }
            return out;
        }

        private static String nested(Random r) {
            int depth = pick(r, new Integer[] {10, 127, 128, 129, 500, 5_000, 40_000});
            boolean arrays = r.nextBoolean();
            StringBuilder sb = new StringBuilder(depth * 6);
            for (int i = 0; i < depth; i++) {
                sb.append(arrays ? "[" : "{\"a\":");
            }
            sb.append('1');
            if (r.nextInt(3) > 0) { // sometimes left unclosed
                for (int i = 0; i < depth; i++) {
                    sb.append(arrays ? ']' : '}');
                }
            }
            return sb.toString();
        }

        private static String number(Random r) {
            return pick(r, new String[] {
                "1e999999", "-1e999999", "1e-999999", "123456789012345678901234567890", "-9223372036854775809",
                "9223372036854775807", "2147483648", "-0", "0.1e1", "01", "1.", ".5", "0x10", "Infinity",
                "-", "1e", "4294967296", "1" + "0".repeat(5000),
            });
        }

        private static String idOrCount(Random r) {
            return pick(r, new String[] {
                "", "0", "1", "999999999999999", "9999999999999999", "-1", "1-", "2-", "99999999999-", "-1-",
                "00000000000000000001", "1a",
            });
        }

        private static String namespace(Random r) {
            return pick(r, new String[] {"", "other", "nowhere", "\u0000", "a/b", "..", "%2F", "x".repeat(2000),
                    "\ud83d\ude00", "\ud800"});
        }

        private static byte[] badUtf8(Random r) {
            byte[][] bad = {
                {(byte) 0xc3, 0x28}, {(byte) 0xff}, {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
                {(byte) 0xc0, (byte) 0xaf}, {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xe2, (byte) 0x82},
            };
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(("42[\"echo\",\"").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(bad[r.nextInt(bad.length)]);
            out.writeBytes("\"]".getBytes(StandardCharsets.US_ASCII));
            return out.toByteArray();
        }

        private static String truncate(Random r, String s) {
            return s.substring(0, r.nextInt(s.length() + 1));
        }

        private static String mutate(Random r, String s) {
            StringBuilder sb = new StringBuilder(s);
            int edits = 1 + r.nextInt(3);
            for (int i = 0; i < edits; i++) {
                int at = sb.length() == 0 ? 0 : r.nextInt(sb.length());
                switch (r.nextInt(4)) {
                    case 0:
                        sb.insert(at, pick(r, TOKENS));
                        break;
                    case 1:
                        if (sb.length() > 0) {
                            sb.deleteCharAt(at);
                        }
                        break;
                    case 2:
                        if (sb.length() > 0) {
                            sb.setCharAt(at, (char) (32 + r.nextInt(95)));
                        }
                        break;
                    default:
                        sb.insert(at, sb.substring(at, Math.min(sb.length(), at + r.nextInt(10))));
                }
            }
            return sb.toString();
        }

        private static byte[] randomBytes(Random r, int n) {
            byte[] b = new byte[n];
            r.nextBytes(b);
            return b;
        }

        private static <T> T pick(Random r, T[] values) {
            return values[r.nextInt(values.length)];
        }
    }
}
