package org.jsio.servlet;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jsio.engine.spi.BodyTooLargeException;
import org.jsio.engine.spi.HttpExchange;
import org.jsio.engine.spi.WebSocketAcceptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One servlet request/response pair seen as an engine {@link HttpExchange}.
 *
 * <p>Request data is read without touching the request parameters (which would consume a POST
 * body). A response given while the exchange is held with {@link #suspend} is written either with
 * non-blocking output by the thread that gives it, or on a container thread
 * ({@code AsyncContext.start}), large ones with non-blocking output, so the engine thread that
 * answers a long-poll never waits for a slow client.
 */
final class ServletHttpExchange implements HttpExchange {
    private static final Logger LOG = LoggerFactory.getLogger(ServletHttpExchange.class);

    /** The servlet context attribute under which containers publish their WebSocket support. */
    static final String SERVER_CONTAINER_ATTRIBUTE = "jakarta.websocket.server.ServerContainer";
    /** Largest initial body buffer, whatever Content-Length claims. */
    private static final int DIRECT_WRITE_LIMIT = 64 * 1024;
    private static final long MAX_DISCARDED_BODY = 4L << 20;
    private static final int INITIAL_BODY_BUFFER = 8 * 1024;
    private static final int WRITE_CHUNK = 64 * 1024;
    /** Largest body read on the calling thread when it has already arrived whole. */
    private static final int INLINE_BODY_LIMIT = 64 * 1024;

    private final HttpServletRequest request;
    private final HttpServletResponse response;
    private final WebSocketUpgrade webSocketUpgrade;
    private final boolean nonBlockingHeldAnswers;
    private final boolean tomcatExecutor;
    private volatile String label;
    private final AtomicBoolean responded = new AtomicBoolean();
    private volatile AsyncContext async;
    /** The writer of a held request's answer, once {@link #suspend} set it up. */
    private volatile NonBlockingAnswer held;
    /** Set when the response must be written on the calling thread (inside an async timeout). */
    private volatile boolean answerInline;
    /** The container thread running the body handler, while it runs. */
    private volatile Thread bodyThread;
    private Map<String, List<String>> query;
    private Map<String, List<String>> headers;
    private Map<String, String> cookies;

    ServletHttpExchange(HttpServletRequest request, HttpServletResponse response) {
        this(request, response, null, false, false);
    }

    /**
     * @param webSocketUpgrade how a WebSocket upgrade is done when it is not through the Jakarta
     *     WebSocket API (Jetty's WebSocket core), or {@code null}
     * @param nonBlockingHeldAnswers whether the answer to a held request is written with
     *     non-blocking output by the thread that produces it, rather than handed to a container
     *     thread. Both keep the producer from waiting for a slow client. The first saves a thread
     *     hand-off per answer where the container's non-blocking output is cheap (Jetty); on
     *     Tomcat it measured slower than the hand-off.
     * @param tomcatExecutor whether to offer the engine the executor of the Tomcat connector
     *     that serves the request ({@link #executor()})
     */
    ServletHttpExchange(HttpServletRequest request, HttpServletResponse response, WebSocketUpgrade webSocketUpgrade,
            boolean nonBlockingHeldAnswers, boolean tomcatExecutor) {
        this.request = request;
        this.response = response;
        this.webSocketUpgrade = webSocketUpgrade;
        this.nonBlockingHeldAnswers = nonBlockingHeldAnswers;
        this.tomcatExecutor = tomcatExecutor;
    }

    /** On Tomcat, the executor of the connector serving this request (see {@link TomcatExecutors}). */
    @Override
    public Executor executor() {
        return tomcatExecutor ? TomcatExecutors.of(request) : null;
    }

    /**
     * "METHOD /path" for log lines. Taken while the request is live (before it goes asynchronous):
     * a container may recycle the request object once the exchange completes.
     */
    private String label() {
        String l = label;
        if (l == null) {
            try {
                l = request.getMethod() + " " + request.getRequestURI();
            } catch (RuntimeException e) {
                l = "request";
            }
            label = l;
        }
        return l;
    }

    @Override
    public String method() {
        return request.getMethod().toUpperCase(Locale.ROOT);
    }

    @Override
    public String scheme() {
        return request.getScheme();
    }

    @Override
    public String requestUri() {
        String q = request.getQueryString();
        return q == null ? request.getRequestURI() : request.getRequestURI() + "?" + q;
    }

    @Override
    public synchronized Map<String, List<String>> queryParameters() {
        if (query == null) {
            query = parseQuery(request.getQueryString());
        }
        return query;
    }

    /**
     * The first value of a query parameter, found in the query string without building the whole
     * map (the engine reads two or three parameters of every request).
     */
    @Override
    public String queryParameter(String name) {
        Map<String, List<String>> parsed;
        synchronized (this) {
            parsed = query;
        }
        if (parsed != null) {
            List<String> values = parsed.get(name);
            return values == null || values.isEmpty() ? null : values.get(0);
        }
        return firstQueryValue(request.getQueryString(), name);
    }

    /** What {@link #parseQuery} would give first for {@code name}, or {@code null}. */
    static String firstQueryValue(String queryString, String name) {
        if (queryString == null) {
            return null;
        }
        int n = queryString.length();
        int start = 0;
        while (start < n) {
            int end = queryString.indexOf('&', start);
            if (end < 0) {
                end = n;
            }
            if (end > start) {
                int eq = queryString.indexOf('=', start);
                if (eq < 0 || eq > end) {
                    eq = end;
                }
                if (nameMatches(queryString, start, eq, name)) {
                    return eq == end ? "" : decodePart(queryString.substring(eq + 1, end));
                }
            }
            start = end + 1;
        }
        return null;
    }

    private static boolean nameMatches(String q, int from, int to, String name) {
        for (int i = from; i < to; i++) {
            char c = q.charAt(i);
            if (c == '%' || c == '+') {
                return decode(q.substring(from, to)).equals(name);
            }
        }
        return to - from == name.length() && q.regionMatches(from, name, 0, name.length());
    }

    private static String decodePart(String s) {
        return s.indexOf('%') < 0 && s.indexOf('+') < 0 ? s : decode(s);
    }

    @Override
    public String header(String name) {
        return request.getHeader(name);
    }

    /** Decodes an {@code application/x-www-form-urlencoded} query string (UTF-8), keeping order. */
    static Map<String, List<String>> parseQuery(String queryString) {
        if (queryString == null || queryString.isEmpty()) {
            return Map.of();
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String pair : queryString.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            out.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        out.replaceAll((k, v) -> Collections.unmodifiableList(v));
        return Collections.unmodifiableMap(out);
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s; // malformed %-escape: keep the raw text
        }
    }

    @Override
    public synchronized Map<String, List<String>> headers() {
        if (headers == null) {
            Map<String, List<String>> out = new LinkedHashMap<>();
            Enumeration<String> names = request.getHeaderNames();
            while (names != null && names.hasMoreElements()) {
                String name = names.nextElement();
                List<String> values = out.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>());
                Enumeration<String> e = request.getHeaders(name);
                while (e != null && e.hasMoreElements()) {
                    values.add(e.nextElement());
                }
            }
            out.replaceAll((k, v) -> Collections.unmodifiableList(v));
            headers = Collections.unmodifiableMap(out);
        }
        return headers;
    }

    @Override
    public synchronized Map<String, String> cookies() {
        if (cookies == null) {
            Cookie[] all = request.getCookies();
            if (all == null || all.length == 0) {
                cookies = Map.of();
            } else {
                Map<String, String> out = new LinkedHashMap<>();
                for (Cookie c : all) {
                    out.putIfAbsent(c.getName(), c.getValue());
                }
                cookies = Collections.unmodifiableMap(out);
            }
        }
        return cookies;
    }

    @Override
    public String remoteAddress() {
        return request.getRemoteAddr();
    }

    @Override
    public Principal userPrincipal() {
        return request.getUserPrincipal();
    }

    /**
     * Whether a WebSocket upgrade can be accepted here: through Jetty's WebSocket core or the
     * Servlet API's upgrade, or else through the web application's Jakarta WebSocket container.
     */
    @Override
    public boolean canUpgrade() {
        return webSocketUpgrade != null
                || request.getServletContext().getAttribute(SERVER_CONTAINER_ATTRIBUTE) instanceof ServerContainer;
    }

    @Override
    public boolean isWebSocketUpgrade() {
        return hasToken(request.getHeaders("Upgrade"), "websocket");
    }

    /** Whether one of a header's comma-separated values is {@code token} (case-insensitive). */
    static boolean hasToken(Enumeration<String> values, String token) {
        while (values != null && values.hasMoreElements()) {
            for (String t : values.nextElement().split(",")) {
                if (t.trim().equalsIgnoreCase(token)) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public byte[] readBody(int maxBytes) throws IOException {
        long declared = request.getContentLengthLong();
        if (declared > maxBytes) {
            throw tooLarge(maxBytes, declared);
        }
        int initial = (int) Math.min(declared >= 0 ? declared + 1 : INITIAL_BODY_BUFFER, INITIAL_BODY_BUFFER);
        byte[] buf = new byte[Math.max(initial, 16)];
        int size = 0;
        InputStream in = request.getInputStream();
        while (true) {
            if (size == buf.length) {
                // Grow, but never past one byte over the limit (enough to detect an overflow).
                int next = (int) Math.min((long) buf.length * 2, (long) maxBytes + 1);
                if (next <= buf.length) {
                    throw tooLarge(maxBytes, declared);
                }
                buf = Arrays.copyOf(buf, next);
            }
            int n = in.read(buf, size, buf.length - size);
            if (n < 0) {
                break;
            }
            size += n;
            if (size > maxBytes) {
                throw tooLarge(maxBytes, declared);
            }
        }
        return size == buf.length ? buf : Arrays.copyOf(buf, size);
    }

    /**
     * Reads the body with a {@link ReadListener}: no thread waits while it trickles in. A body
     * still incomplete after {@code timeoutMillis} fails with {@link SocketTimeoutException}; one
     * over {@code maxBytes} is read on and dropped (up to {@link #MAX_DISCARDED_BODY} bytes) so
     * that the client reads the answer, then fails with {@link BodyTooLargeException}.
     */
    @Override
    public void readBody(int maxBytes, long timeoutMillis, BodyHandler handler) {
        long declared = request.getContentLengthLong();
        if (!request.isAsyncSupported() || declared > (long) maxBytes + MAX_DISCARDED_BODY) {
            HttpExchange.super.readBody(maxBytes, timeoutMillis, handler);
            return;
        }
        byte[] arrived;
        try {
            arrived = readIfArrived(declared, maxBytes);
        } catch (IOException e) {
            handler.onFailure(e);
            return;
        }
        if (arrived != null) {
            handler.onBody(arrived);
            return;
        }
        label();
        AsyncContext ctx = request.startAsync(request, response);
        ctx.setTimeout(timeoutMillis);
        async = ctx;
        AtomicBoolean done = new AtomicBoolean();
        ctx.addListener(new AsyncListener() {
            @Override
            public void onComplete(AsyncEvent event) {
            }

            @Override
            public void onTimeout(AsyncEvent event) {
                if (done.compareAndSet(false, true)) {
                    // Answered from here, on the container's thread: a timed-out exchange
                    // must be completed before this listener returns.
                    answerInline = true;
                    handler.onFailure(new SocketTimeoutException(
                            "request body not received within " + timeoutMillis + " ms"));
                }
                completeQuietly(ctx);
            }

            @Override
            public void onError(AsyncEvent event) {
                if (done.compareAndSet(false, true)) {
                    answerInline = true;
                    Throwable t = event.getThrowable();
                    handler.onFailure(t instanceof IOException ? (IOException) t
                            : new IOException("request body not read", t));
                }
                completeQuietly(ctx);
            }

            @Override
            public void onStartAsync(AsyncEvent event) {
            }
        });
        ServletInputStream in;
        try {
            in = request.getInputStream();
        } catch (IOException | IllegalStateException e) {
            if (done.compareAndSet(false, true)) {
                handler.onFailure(e instanceof IOException ? (IOException) e : new IOException(e));
            }
            return;
        }
        int initial = (int) Math.min(declared >= 0 ? declared + 1 : INITIAL_BODY_BUFFER, INITIAL_BODY_BUFFER);
        in.setReadListener(new ReadListener() {
            private byte[] buf = new byte[Math.max(initial, 16)];
            private int size;
            private long discarded;
            private boolean over = declared > maxBytes;

            @Override
            public void onDataAvailable() throws IOException {
                while (in.isReady() && !in.isFinished()) {
                    if (over) {
                        int n = in.read(SCRATCH.get());
                        if (n < 0) {
                            return;
                        }
                        discarded += n;
                        if (discarded > MAX_DISCARDED_BODY) {
                            // too much to drain: answer now; the container closes the connection
                            finish(null, new BodyTooLargeException(maxBytes));
                            return;
                        }
                        continue;
                    }
                    if (size == buf.length) {
                        int next = (int) Math.min((long) buf.length * 2, (long) maxBytes + 1);
                        buf = Arrays.copyOf(buf, next);
                    }
                    int n = in.read(buf, size, buf.length - size);
                    if (n < 0) {
                        return;
                    }
                    size += n;
                    if (size > maxBytes) {
                        over = true;
                        buf = null;
                    }
                }
            }

            @Override
            public void onAllDataRead() {
                if (over) {
                    finish(null, new BodyTooLargeException(maxBytes));
                } else {
                    finish(size == buf.length ? buf : Arrays.copyOf(buf, size), null);
                }
            }

            @Override
            public void onError(Throwable t) {
                finish(null, t instanceof IOException ? (IOException) t : new IOException("request body not read", t));
            }

            private void finish(byte[] body, IOException failure) {
                if (!done.compareAndSet(false, true)) {
                    return;
                }
                // An answer given before the handler returns is written here, on the container
                // thread that read the body, instead of being handed to another one.
                bodyThread = Thread.currentThread();
                try {
                    if (failure != null) {
                        handler.onFailure(failure);
                    } else {
                        handler.onBody(body);
                    }
                } finally {
                    bodyThread = null;
                }
            }
        });
    }

    /**
     * The body, read on the calling thread, when the container already holds all of it (a small
     * POST usually arrives with its headers): reading it cannot block, and the exchange needs no
     * asynchronous machinery. {@code null} when it has not all arrived, or its length is not
     * declared, or it is over {@code maxBytes} or {@link #INLINE_BODY_LIMIT}.
     */
    private byte[] readIfArrived(long declared, int maxBytes) throws IOException {
        if (declared < 0 || declared > maxBytes || declared > INLINE_BODY_LIMIT) {
            return null;
        }
        if (declared == 0) {
            return new byte[0];
        }
        InputStream in;
        try {
            in = request.getInputStream();
            if (in.available() < declared) {
                return null;
            }
        } catch (IOException | IllegalStateException e) {
            return null; // the asynchronous read reports what is wrong
        }
        byte[] body = new byte[(int) declared];
        int size = 0;
        while (size < body.length) {
            int n = in.read(body, size, body.length - size);
            if (n < 0) {
                throw new IOException("request body ended after " + size + " of " + declared + " bytes");
            }
            size += n;
        }
        return body;
    }

    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[8192]);

    /**
     * Reads and drops the rest of an oversized body (up to {@link #MAX_DISCARDED_BODY} bytes) so
     * that the client, still sending, reads the 413 instead of a reset connection; as the
     * reference server does. A larger body is left to the container, which closes the connection.
     */
    private BodyTooLargeException tooLarge(int maxBytes, long declared) {
        if (declared > (long) maxBytes + MAX_DISCARDED_BODY) {
            return new BodyTooLargeException(maxBytes);
        }
        try {
            InputStream in = request.getInputStream();
            byte[] scratch = new byte[8192];
            long left = MAX_DISCARDED_BODY;
            while (left > 0) {
                int n = in.read(scratch, 0, (int) Math.min(scratch.length, left));
                if (n < 0) {
                    break;
                }
                left -= n;
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("{}: oversized body not drained: {}", label(), e.toString());
        }
        return new BodyTooLargeException(maxBytes);
    }

    @Override
    public void respond(int status, Map<String, String> headers, byte[] body) {
        if (!responded.compareAndSet(false, true)) {
            LOG.debug("{}: second response ignored", label());
            return;
        }
        byte[] data = body == null ? new byte[0] : body;
        AsyncContext ctx = async;
        if (ctx == null) {
            write(null, response, status, headers, data);
            return;
        }
        NonBlockingAnswer h = held;
        if (h != null) {
            h.answer(status, headers, data);
            return;
        }
        if (answerInline || bodyThread == Thread.currentThread()) {
            write(ctx, (HttpServletResponse) ctx.getResponse(), status, headers, data);
            return;
        }
        // A held poll is answered from whatever thread produced the data: a broadcaster, another
        // client's lane, the scheduler. The write itself is handed to a container thread, so
        // that a client that stops reading can hold only that thread (until the container's
        // write timeout), never one that other clients depend on.
        try {
            ctx.start(() -> writeHeld(ctx, status, headers, data));
        } catch (IllegalStateException | RejectedExecutionException e) {
            // The request is over, or the container takes no more work (Tomcat while it stops):
            // the exchange is completed here, and the engine's caller goes on.
            LOG.debug("{}: response not delivered: {}", label(), e.toString());
            completeQuietly(ctx);
        }
    }

    /** Answers a held request on the container thread that {@code AsyncContext.start} runs it on. */
    private void writeHeld(AsyncContext ctx, int status, Map<String, String> headers, byte[] data) {
        HttpServletResponse target;
        try {
            target = (HttpServletResponse) ctx.getResponse();
        } catch (IllegalStateException e) {
            // the request ended meanwhile, and the container recycled it
            LOG.debug("{}: response not delivered: {}", label(), e.toString());
            return;
        }
        write(ctx, target, status, headers, data);
    }

    /**
     * Writes an answer. Once the request is asynchronous, whatever fails completes the exchange,
     * so that no failure, even one the container should not throw, leaves its client waiting.
     */
    private void write(AsyncContext ctx, HttpServletResponse target, int status, Map<String, String> headers,
            byte[] data) {
        try {
            head(target, status, headers, data.length);
            if (ctx == null) {
                ServletOutputStream out = target.getOutputStream();
                out.write(data);
                out.flush();
            } else if (data.length <= DIRECT_WRITE_LIMIT) {
                // A held poll is answered only while its client waits for the answer, so a small
                // body goes straight into the socket buffer. Writing it directly also avoids
                // registering a write listener while the request's own dispatch may still be
                // returning, which a container can mishandle.
                ServletOutputStream out = target.getOutputStream();
                out.write(data);
                out.flush();
                completeQuietly(ctx);
            } else {
                writeAsync(ctx, target.getOutputStream(), data);
            }
        } catch (IOException | IllegalStateException e) {
            LOG.debug("{}: response not delivered: {}", label(), e.toString());
            if (ctx != null) {
                completeQuietly(ctx);
            }
        } catch (RuntimeException e) {
            if (ctx == null) {
                throw e; // still in the request's dispatch: the container answers it
            }
            LOG.warn("{}: response not delivered", label(), e);
            completeQuietly(ctx);
        }
    }

    /** Writes {@code data} without blocking the calling thread, then completes the exchange. */
    private void writeAsync(AsyncContext ctx, ServletOutputStream out, byte[] data) {
        NonBlockingAnswer a = new NonBlockingAnswer(ctx);
        a.body(data);
        out.setWriteListener(a); // the container calls onWritePossible
    }

    private static void head(HttpServletResponse target, int status, Map<String, String> headers, int length) {
        target.setStatus(status);
        headers.forEach((name, value) -> {
            // the same as setHeader, without the container looking the header's name up (Jetty)
            if (name.equalsIgnoreCase("Content-Type")) {
                target.setContentType(value);
            } else {
                target.setHeader(name, value);
            }
        });
        target.setContentLength(length);
    }

    private void completeQuietly(AsyncContext ctx) {
        try {
            ctx.complete();
        } catch (IllegalStateException e) {
            LOG.debug("{}: async context already completed: {}", label(), e.toString());
        }
    }

    @Override
    public void suspend(Runnable onAbort) {
        if (!request.isAsyncSupported()) {
            throw new IllegalStateException("the Socket.IO servlet or filter needs asynchronous requests: set "
                    + "<async-supported>true</async-supported> (or setAsyncSupported(true)) on the SocketIoServlet "
                    + "or SocketIoFilter, and on every filter in front of it");
        }
        label();
        AsyncContext ctx = request.startAsync(request, response);
        ctx.setTimeout(0); // the engine always answers within pingInterval, or closes the session
        ctx.addListener(new AsyncListener() {
            @Override
            public void onComplete(AsyncEvent event) {
            }

            @Override
            public void onTimeout(AsyncEvent event) {
                abort(ctx, onAbort);
            }

            @Override
            public void onError(AsyncEvent event) {
                abort(ctx, onAbort);
            }

            @Override
            public void onStartAsync(AsyncEvent event) {
            }
        });
        if (nonBlockingHeldAnswers) {
            NonBlockingAnswer h = new NonBlockingAnswer(ctx);
            try {
                response.getOutputStream().setWriteListener(h);
                held = h;
            } catch (IOException | IllegalStateException e) {
                LOG.debug("{}: no non-blocking output, the answer goes through a container thread: {}", label(),
                        e.toString());
            }
        }
        async = ctx;
    }

    /**
     * An answer written with non-blocking output, then the exchange completed. For a held request
     * ({@link #answer}) the thread that produces the answer writes what the socket takes at once,
     * so it never waits for the client and needs no container thread; what the socket does not
     * take is written by the container when it can ({@link #onWritePossible}).
     */
    private final class NonBlockingAnswer implements WriteListener {
        private final AsyncContext ctx;
        private byte[] data;
        private int written;
        private boolean finished;

        NonBlockingAnswer(AsyncContext ctx) {
            this.ctx = ctx;
        }

        /** Sets the body, for a container that will call {@link #onWritePossible}. */
        synchronized void body(byte[] body) {
            data = body;
        }

        /** Sets the answer and writes what the socket takes now. */
        synchronized void answer(int status, Map<String, String> headers, byte[] body) {
            try {
                head((HttpServletResponse) ctx.getResponse(), status, headers, body.length);
            } catch (RuntimeException e) {
                fail(e);
                return;
            }
            data = body;
            drain();
        }

        @Override
        public synchronized void onWritePossible() {
            drain();
        }

        private void drain() {
            if (data == null || finished) {
                return;
            }
            try {
                ServletOutputStream out = ctx.getResponse().getOutputStream();
                while (out.isReady()) {
                    if (written == data.length) {
                        finished = true;
                        completeQuietly(ctx);
                        return;
                    }
                    int n = Math.min(WRITE_CHUNK, data.length - written);
                    out.write(data, written, n);
                    written += n;
                }
            } catch (IOException | RuntimeException e) {
                fail(e);
            }
        }

        @Override
        public void onError(Throwable t) {
            synchronized (this) {
                if (finished) {
                    return;
                }
            }
            fail(t);
        }

        /**
         * Ends the answer and completes the exchange. What the container reports, a client gone or
         * a request over is logged at DEBUG; a runtime exception no container should throw (other
         * than {@code IllegalStateException}), at WARN.
         */
        private void fail(Throwable t) {
            synchronized (this) {
                finished = true;
            }
            if (t instanceof RuntimeException && !(t instanceof IllegalStateException)) {
                LOG.warn("{}: response not delivered", label(), t);
            } else {
                LOG.debug("{}: response not delivered: {}", label(), t.toString());
            }
            completeQuietly(ctx);
        }
    }

    private void abort(AsyncContext ctx, Runnable onAbort) {
        if (responded.compareAndSet(false, true)) {
            try {
                onAbort.run();
            } finally {
                completeQuietly(ctx);
            }
        }
    }

    @Override
    public void upgrade(WebSocketAcceptor acceptor) throws IOException {
        WebSocketUpgrade direct = webSocketUpgrade;
        if (direct != null && direct.upgrade(request, response, acceptor)) {
            upgraded();
            return;
        }
        Object attribute = request.getServletContext().getAttribute(SERVER_CONTAINER_ATTRIBUTE);
        if (!(attribute instanceof ServerContainer)) {
            // an IOException: the engine answers 400 and the client stays on long-polling
            throw new IOException("no Jakarta WebSocket container in this web application (context "
                    + "attribute " + SERVER_CONTAINER_ATTRIBUTE + " is missing): the container's WebSocket support "
                    + "must be enabled to accept WebSocket connections");
        }
        ServerContainer container = (ServerContainer) attribute;
        ServerEndpointConfig config = ServerEndpointConfig.Builder.create(EngineEndpoint.class, "/")
                .configurator(new EngineEndpoint.Binder(acceptor))
                .build();
        try {
            container.upgradeHttpToWebSocket(request, response, config, Map.of());
        } catch (DeploymentException | IllegalStateException e) {
            // Jetty refuses a malformed handshake (no Sec-WebSocket-Key, ...) with IllegalStateException.
            throw new IOException("WebSocket handshake refused: " + e.getMessage(), e);
        }
        upgraded();
    }

    /** After the container took the handshake: checks that it answered it. */
    private void upgraded() throws IOException {
        int status = response.getStatus();
        if (status == HttpServletResponse.SC_SWITCHING_PROTOCOLS || status >= 400 || response.isCommitted()) {
            // Upgraded, or the container already refused the handshake itself.
            responded.set(true);
        } else {
            throw new IOException("the container did not accept the WebSocket handshake");
        }
    }
}
