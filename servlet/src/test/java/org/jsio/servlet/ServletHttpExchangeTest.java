package org.jsio.servlet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.lang.reflect.Proxy;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.jsio.engine.EngineHandler;
import org.jsio.engine.EngineOptions;
import org.jsio.engine.EngineServer;
import org.jsio.engine.EngineSocket;
import org.jsio.engine.spi.BodyTooLargeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ServletHttpExchangeTest {

    /** A request that answers the given methods and fails on any other call. */
    private static HttpServletRequest request(Map<String, Object> answers) {
        return (HttpServletRequest) Proxy.newProxyInstance(ServletHttpExchangeTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> {
                    if (answers.containsKey(method.getName())) {
                        return answers.get(method.getName());
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    /** A POST whose body arrives in small pieces, with the given Content-Length (-1: unknown). */
    private static ServletHttpExchange post(byte[] body, long contentLength) {
        Map<String, Object> answers = new HashMap<>();
        answers.put("getContentLengthLong", contentLength);
        answers.put("getInputStream", new TrickleInputStream(body));
        return new ServletHttpExchange(request(answers), null);
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) i;
        }
        return b;
    }

    @Test
    void queryIsDecodedAsUtf8InOrder() {
        Map<String, List<String>> q = ServletHttpExchange.parseQuery("EIO=4&transport=polling&x=a%20b+c&x=%E2%82%AC&flag&=v&bad=%zz");
        assertEquals(List.of("EIO", "transport", "x", "flag", "", "bad"), List.copyOf(q.keySet()));
        assertEquals(List.of("a b c", "\u20ac"), q.get("x"));
        assertEquals(List.of(""), q.get("flag"));
        assertEquals(List.of("%zz"), q.get("bad"));
        assertTrue(ServletHttpExchange.parseQuery(null).isEmpty());
    }

    @Test
    void singleParameterLookupAgreesWithTheFullParse() {
        String[] queries = {"EIO=4&transport=polling&x=a%20b+c&x=%E2%82%AC&flag&=v&bad=%zz", "", "&&EIO=3&EIO=4&",
            "E%49O=4&transport=web%73ocket&sid=abc", "a+b=1&a%20b=2", "t=&t=x", "EIOX=1&EI=2&EIO"};
        String[] names = {"EIO", "transport", "x", "flag", "", "bad", "sid", "a b", "t", "missing", "EI"};
        for (String q : queries) {
            Map<String, List<String>> all = ServletHttpExchange.parseQuery(q);
            for (String name : names) {
                List<String> values = all.get(name);
                assertEquals(values == null ? null : values.get(0), ServletHttpExchange.firstQueryValue(q, name),
                        q + " / " + name);
            }
        }
        assertNull(ServletHttpExchange.firstQueryValue(null, "EIO"));
    }

    @Test
    void bodyOfExactlyTheLimitIsRead() throws Exception {
        byte[] body = bytes(100_000);
        assertArrayEquals(body, post(body, body.length).readBody(100_000));
        assertArrayEquals(body, post(body, -1).readBody(100_000));
        assertArrayEquals(new byte[0], post(new byte[0], 0).readBody(10));
    }

    @Test
    void bodyOverTheLimitIsRefusedWhileReading() {
        byte[] body = bytes(100_001);
        assertThrows(BodyTooLargeException.class, () -> post(body, -1).readBody(100_000));
        // A Content-Length that understates the body does not get past the limit either.
        assertThrows(BodyTooLargeException.class, () -> post(body, 10).readBody(100_000));
    }

    @Test
    void bodyDeclaredOverTheLimitIsRefusedBeforeReading() {
        Map<String, Object> answers = new HashMap<>();
        answers.put("getContentLengthLong", 5_000_000_000L);
        ServletHttpExchange exchange = new ServletHttpExchange(request(answers), null);
        assertThrows(BodyTooLargeException.class, () -> exchange.readBody(1_000_000));
    }

    @Test
    void suspendWithoutAsyncSupportSaysWhatToConfigure() {
        ServletHttpExchange exchange = new ServletHttpExchange(request(Map.of("isAsyncSupported", false)), null);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> exchange.suspend(() -> { }));
        assertTrue(e.getMessage().contains("<async-supported>true</async-supported>"), e.getMessage());
    }

    @Test
    void headersAreKeyedInLowerCase() {
        HttpServletRequest req = (HttpServletRequest) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "getHeaderNames":
                            return Collections.enumeration(List.of("Upgrade", "X-Two"));
                        case "getHeaders":
                            return "Upgrade".equals(args[0]) ? Collections.enumeration(List.of("WebSocket"))
                                    : Collections.enumeration(List.of("a", "b"));
                        case "getHeader": // case-insensitive, as the containers' own
                            String name = ((String) args[0]).toLowerCase(java.util.Locale.ROOT);
                            return "upgrade".equals(name) ? "WebSocket" : "x-two".equals(name) ? "a" : null;
                        default:
                            throw new UnsupportedOperationException(method.getName());
                    }
                });
        ServletHttpExchange exchange = new ServletHttpExchange(req, null);
        assertEquals(List.of("a", "b"), exchange.headers().get("x-two"));
        assertEquals("WebSocket", exchange.header("UPGRADE"));
        assertTrue(exchange.isWebSocketUpgrade());
    }

    /** The engine used by the factory test. */
    public static final class EchoFactory implements EngineServerFactory {
        static volatile EngineServer last;

        @Override
        public EngineServer create(ServletConfig config) {
            last = new EngineServer(EngineOptions.defaults(), new EngineHandler() {
                @Override
                public void onMessage(EngineSocket socket, String text) {
                    socket.send(text);
                }

                @Override
                public void onBinary(EngineSocket socket, byte[] data) {
                    socket.send(data);
                }
            });
            return last;
        }
    }

    private static ServletConfig config(String factory) {
        return (ServletConfig) Proxy.newProxyInstance(ServletHttpExchangeTest.class.getClassLoader(),
                new Class<?>[] {ServletConfig.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "getInitParameter":
                            return SocketIoServlet.FACTORY_PARAM.equals(args[0]) ? factory : null;
                        case "getServletName":
                            return "socketio";
                        default:
                            return null;
                    }
                });
    }

    @Test
    void webXmlServletBuildsAndClosesItsEngine() throws Exception {
        SocketIoServlet servlet = new SocketIoServlet();
        servlet.init(config(EchoFactory.class.getName()));
        assertSame(EchoFactory.last, servlet.engine());
        servlet.destroy();
        assertNull(servlet.engine());
    }

    /** A web.xml factory for a Socket.IO server. */
    public static final class ChatFactory implements SocketIoServerFactory {
        static volatile org.jsio.socketio.SocketIoServer last;

        @Override
        public org.jsio.socketio.SocketIoServer create(ServletConfig config) {
            last = org.jsio.socketio.SocketIoServer.create();
            return last;
        }
    }

    @Test
    void webXmlServletBuildsAndClosesItsSocketIoServer() throws Exception {
        SocketIoServlet servlet = new SocketIoServlet();
        servlet.init(config(ChatFactory.class.getName()));
        assertSame(ChatFactory.last.engine(), servlet.engine());
        servlet.destroy();
        assertNull(servlet.engine());
        assertTrue(ChatFactory.last.scheduler().isShutdown());
    }

    @Test
    void webXmlServletWithoutFactoryFailsClearly() {
        ServletException e = assertThrows(ServletException.class, () -> new SocketIoServlet().init(config(null)));
        assertTrue(e.getMessage().contains("'factory'"), e.getMessage());
        ServletException e2 = assertThrows(ServletException.class,
                () -> new SocketIoServlet().init(config(String.class.getName())));
        assertTrue(e2.getMessage().contains("implements neither"), e2.getMessage());
    }

    @Test
    void givenEngineIsNotClosedByTheServlet() {
        EngineServer engine = new EchoFactory().create(null);
        try {
            SocketIoServlet servlet = new SocketIoServlet(engine);
            servlet.destroy();
            assertSame(engine, servlet.engine());
        } finally {
            engine.close();
        }
    }

    /** Delivers at most 1000 bytes per read, like a slow network. */
    /**
     * A held answer written with non-blocking output: what the socket does not take at once is
     * left to the container's write callback, and the exchange completes only once all of it is
     * written.
     */
    @Test
    void heldAnswerWaitsForTheContainerWhenTheSocketIsFull() throws Exception {
        StallingOutputStream out = new StallingOutputStream();
        Map<String, Object> headers = new HashMap<>();
        int[] completions = {0};
        HttpServletResponse response = (HttpServletResponse) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpServletResponse.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "getOutputStream":
                            return out;
                        case "setStatus":
                            headers.put(":status", args[0]);
                            return null;
                        case "setHeader":
                            headers.put((String) args[0], args[1]);
                            return null;
                        case "setContentLength":
                            headers.put("content-length", args[0]);
                            return null;
                        default:
                            throw new UnsupportedOperationException(method.getName());
                    }
                });
        ServletHttpExchange exchange = heldGet(asyncContext(response, completions, null), response, true);
        assertTrue(out.listener != null, "the write listener is set while the request is held");

        byte[] body = bytes(150_000);
        exchange.respond(200, Map.of("X-Test", "yes"), body);
        assertEquals(200, headers.get(":status"));
        assertEquals("yes", headers.get("X-Test"));
        assertEquals(150_000, headers.get("content-length"));
        assertEquals(0, completions[0], "not complete while the socket is full");
        int rounds = 0;
        while (completions[0] == 0) {
            assertTrue(++rounds < 10, "completed after the last byte");
            out.ready = true; // the socket takes more: the container calls back
            out.listener.onWritePossible();
        }
        assertEquals(1, completions[0]);
        assertTrue(rounds > 1, "the socket was full at least once, so the container finished the write");
        assertArrayEquals(body, out.written.toByteArray());
        out.ready = true;
        out.listener.onWritePossible();
        assertEquals(1, completions[0], "a late callback completes nothing twice");
    }

    /**
     * A held request answered from another thread while the container refuses new work (Tomcat's
     * {@code AsyncContext.start} while its connector stops): the exchange is completed, and the
     * refusal does not reach the engine, which answers held polls from its lanes, its heartbeat
     * sweep and while closing sessions.
     */
    @Test
    void heldAnswerRefusedByTheContainerCompletesTheExchange() {
        int[] completions = {0};
        AsyncContext ctx = asyncContext(null, completions, task -> {
            throw new RejectedExecutionException("connector stopped");
        });
        ServletHttpExchange exchange = heldGet(ctx, null, false);

        exchange.respond(200, Map.of(), bytes(10));

        assertEquals(1, completions[0], "the exchange is completed");
    }

    /**
     * A held request whose response throws what no container should (here on setting the
     * status), answered on a container thread or with non-blocking output: the failure is logged
     * and the exchange completed, so its client is not left waiting for an answer.
     */
    @ParameterizedTest(name = "non-blocking {0}")
    @ValueSource(booleans = {false, true})
    void heldAnswerThatTheResponseThrowsOnCompletesTheExchange(boolean nonBlocking) {
        int[] completions = {0};
        StallingOutputStream out = new StallingOutputStream();
        HttpServletResponse response = (HttpServletResponse) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpServletResponse.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getOutputStream")) {
                        return out;
                    }
                    throw new IllegalArgumentException("refused: " + method.getName());
                });
        AsyncContext ctx = asyncContext(response, completions, Runnable::run);
        ServletHttpExchange exchange = heldGet(ctx, response, nonBlocking);
        assertEquals(nonBlocking, out.listener != null, "the write listener is set for non-blocking answers only");

        exchange.respond(200, Map.of(), bytes(10));

        assertEquals(1, completions[0], "the exchange is completed");
        assertEquals(0, out.written.size(), "nothing is written after a failed head");
    }

    /**
     * An asynchronous context that gives {@code response}, counts its completions, and hands what
     * {@code start} is given to {@code onStart} (null: any other call fails).
     */
    private static AsyncContext asyncContext(HttpServletResponse response, int[] completions,
            Consumer<Runnable> onStart) {
        return (AsyncContext) Proxy.newProxyInstance(ServletHttpExchangeTest.class.getClassLoader(),
                new Class<?>[] {AsyncContext.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "getResponse":
                            return response;
                        case "complete":
                            completions[0]++;
                            return null;
                        case "setTimeout":
                        case "addListener":
                            return null;
                        case "start":
                            if (onStart == null) {
                                throw new UnsupportedOperationException("start");
                            }
                            onStart.accept((Runnable) args[0]);
                            return null;
                        default:
                            throw new UnsupportedOperationException(method.getName());
                    }
                });
    }

    /** A long-polling GET held on {@code ctx}, its answer written with or without non-blocking output. */
    private static ServletHttpExchange heldGet(AsyncContext ctx, HttpServletResponse response,
            boolean nonBlockingHeldAnswers) {
        Map<String, Object> answers = new HashMap<>();
        answers.put("isAsyncSupported", true);
        answers.put("startAsync", ctx);
        answers.put("getMethod", "GET");
        answers.put("getRequestURI", "/socket.io/");
        ServletHttpExchange exchange = new ServletHttpExchange(request(answers), response, null,
                nonBlockingHeldAnswers, false);
        exchange.suspend(() -> { });
        return exchange;
    }

    /** An output stream whose socket is full after every write. */
    private static final class StallingOutputStream extends ServletOutputStream {
        final java.io.ByteArrayOutputStream written = new java.io.ByteArrayOutputStream();
        volatile boolean ready = true;
        WriteListener listener;

        @Override
        public boolean isReady() {
            return ready;
        }

        @Override
        public void setWriteListener(WriteListener writeListener) {
            listener = writeListener;
        }

        @Override
        public void write(int b) {
            throw new UnsupportedOperationException("single bytes");
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (!ready) {
                throw new IllegalStateException("write while not ready");
            }
            written.write(b, off, len);
            ready = false;
        }
    }

    private static final class TrickleInputStream extends ServletInputStream {
        private final ByteArrayInputStream in;

        TrickleInputStream(byte[] data) {
            this.in = new ByteArrayInputStream(data);
        }

        @Override
        public int read() {
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
            return in.read(b, off, Math.min(len, 1000));
        }

        @Override
        public boolean isFinished() {
            return in.available() == 0;
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setReadListener(ReadListener listener) {
            throw new UnsupportedOperationException();
        }
    }
}
