package org.jsio.servlet;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.WebConnection;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jsio.engine.spi.WebSocketAcceptor;
import org.jsio.engine.spi.WebSocketConnection;
import org.jsio.engine.spi.WebSocketListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket over a connection upgraded with the Servlet API ({@link ServletUpgrade}): the
 * RFC 6455 framing, read and written through the connection's non-blocking streams. The container
 * creates it; applications have no use for it.
 *
 * <p>Frames are read on the container's threads, one read at a time, and handed whole to the
 * engine's listener. Frames are written from the engine's threads: each send is written at once
 * if the connection can take it, and completes on the calling thread when the container took it
 * all; otherwise it completes on the container's thread once written. A send made with the
 * engine's {@code more} hint is held back and written together with the next one, in one write.
 */
public final class WebSocketUpgradeHandler implements HttpUpgradeHandler {
    private static final Logger LOG = LoggerFactory.getLogger(WebSocketUpgradeHandler.class);

    private static final int INITIAL_READ_BUFFER = 4 * 1024;
    private static final byte[] EMPTY = new byte[0];

    private volatile WebSocketAcceptor acceptor;
    private volatile String label = "websocket";
    private volatile boolean exactWrites = true;
    private volatile Executor containerExecutor;
    private volatile Connection connection;

    /** Created by the servlet container ({@link jakarta.servlet.http.HttpServletRequest#upgrade}). */
    public WebSocketUpgradeHandler() {
    }

    /**
     * Binds the engine. {@code exactWrites}: hand the container arrays that hold exactly the bytes
     * to write, for containers that ignore a write's offset and length in non-blocking mode
     * (Undertow 2.3 writes the whole array); with {@code false}, one buffer is reused for every
     * write, as Tomcat allows. {@code containerExecutor}: what the connection offers the engine
     * as {@link WebSocketConnection#executor()}, or {@code null}.
     */
    void bind(WebSocketAcceptor acceptor, String label, boolean exactWrites, Executor containerExecutor) {
        this.acceptor = acceptor;
        this.label = "websocket " + label;
        this.exactWrites = exactWrites;
        this.containerExecutor = containerExecutor;
    }

    @Override
    public void init(WebConnection webConnection) {
        WebSocketAcceptor a = acceptor;
        if (a == null) {
            LOG.warn("{}: upgraded without an engine; closing", label);
            closeQuietly(webConnection);
            return;
        }
        Connection c;
        try {
            c = new Connection(webConnection, a, label, exactWrites, containerExecutor);
        } catch (IOException e) {
            LOG.debug("{}: no streams: {}", label, e.toString());
            closeQuietly(webConnection);
            return;
        }
        connection = c;
        c.start();
    }

    @Override
    public void destroy() {
        Connection c = connection;
        if (c != null) {
            c.destroyed();
        }
    }

    /** Tomcat's socket wrapper field in its upgraded input stream, once looked up (empty: not Tomcat). */
    private static volatile Optional<Field> tomcatSocketField;

    /**
     * Ends an upgraded connection that {@link WebConnection#close()} only marked closed. Tomcat
     * (10.1 and 11) closes the TCP connection of an upgraded request when an I/O event on it
     * finds both streams closed; from any other thread nothing else is offered, so its socket
     * wrapper is closed, as Tomcat's own WebSocket implementation does when a session times out.
     * The wrapper is reached by reflection. Elsewhere this does nothing.
     */
    private static void endNow(ServletInputStream in, String label) {
        Optional<Field> field = tomcatSocketField;
        if (field == null) {
            field = Optional.empty();
            for (Class<?> c = in.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
                if (c.getName().startsWith("org.apache.coyote.")) {
                    try {
                        Field f = c.getDeclaredField("socketWrapper");
                        f.setAccessible(true);
                        field = Optional.of(f);
                        break;
                    } catch (NoSuchFieldException | RuntimeException e) {
                        LOG.debug("no socket wrapper in {}: {}", c.getName(), e.toString());
                    }
                }
            }
            tomcatSocketField = field;
        }
        if (field.isEmpty() || !field.get().getDeclaringClass().isInstance(in)) {
            return;
        }
        try {
            Object wrapper = field.get().get(in);
            if (wrapper != null) {
                wrapper.getClass().getMethod("close").invoke(wrapper);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debug("{}: connection not ended: {}", label, e.toString());
        }
    }

    private static void closeQuietly(WebConnection wc) {
        try {
            wc.close();
        } catch (Exception e) {
            LOG.debug("upgraded connection not closed cleanly: {}", e.toString());
        }
    }

    /** The state of one WebSocket: reading on container threads, writing from any thread. */
    private static final class Connection implements WebSocketConnection, ReadListener {
        private final WebConnection webConnection;
        private final WebSocketAcceptor acceptor;
        private final String label;
        private final int maxMessage;
        /** Each write gets an array of exactly its bytes (see {@link WebSocketUpgradeHandler#bind}). */
        private final boolean exactWrites;
        private final Executor containerExecutor;
        private final ServletInputStream in;
        private final ServletOutputStream out;
        private volatile WebSocketListener listener;

        // Reading: touched only by the container's read callbacks, one at a time.
        private byte[] buf = new byte[INITIAL_READ_BUFFER];
        private int start;
        private int end;
        private int messageOpcode; // 0 when no fragmented message is in progress
        private byte[] message = EMPTY;
        private int messageLength;
        private volatile boolean readDone;

        // Writing: guarded by lock.
        private final Object lock = new Object();
        private byte[] pending = new byte[256];
        private int pendingLength;
        private final List<SendCallback> pendingCallbacks = new ArrayList<>(2);
        private final List<SendCallback> writtenCallbacks = new ArrayList<>(2);
        private boolean waitingForWrite = true; // until the container's first onWritePossible
        /** Our close frame is queued: no frame after it; messages that still arrive are dropped. */
        private volatile boolean closeSent;
        private boolean closeAfterWrite;
        private volatile boolean closed;
        private boolean notified;
        private final AtomicBoolean ended = new AtomicBoolean();
        /** The container's thread while it runs one of this connection's callbacks. */
        private volatile Thread callbackThread;
        private volatile boolean destroyed;
        private Future<?> closeTimer; // guarded by lock
        private boolean closeTimerStarted; // guarded by lock
        /** Our close frame is written and the client's answer awaited (guarded by lock). */
        private boolean lingering;
        /** The linger timer is to be started, outside the lock (guarded by lock). */
        private boolean lingerDue;
        /** After a protocol error: whatever still arrives is read and dropped, not parsed. */
        private volatile boolean discardInput;

        Connection(WebConnection webConnection, WebSocketAcceptor acceptor, String label, boolean exactWrites,
                Executor containerExecutor) throws IOException {
            this.webConnection = webConnection;
            this.containerExecutor = containerExecutor;
            this.acceptor = acceptor;
            this.label = label;
            this.exactWrites = exactWrites;
            this.maxMessage = Math.max(125, acceptor.maxMessageSize());
            this.in = webConnection.getInputStream();
            this.out = webConnection.getOutputStream();
        }

        /** Binds the engine, then asks the container to call back when it can read and write. */
        void start() {
            listener = acceptor.open(this);
            out.setWriteListener(new Writes());
            in.setReadListener(this);
        }

        // ---- reading

        @Override
        public void onDataAvailable() throws IOException {
            callbackThread = Thread.currentThread();
            try {
                while (!readDone && in.isReady()) {
                    if (end == buf.length) {
                        makeRoom(1);
                    }
                    int n = in.read(buf, end, buf.length - end);
                    if (n < 0) {
                        ended();
                        return;
                    }
                    end += n;
                    parse(); // parses nothing once input is discarded
                    if (discardInput) {
                        start = 0;
                        end = 0;
                    }
                }
            } finally {
                callbackThread = null;
            }
        }

        @Override
        public void onAllDataRead() {
            callbackThread = Thread.currentThread();
            try {
                ended();
            } finally {
                callbackThread = null;
            }
        }

        /** The client ended the connection. */
        private void ended() {
            if (!readDone) {
                readDone = true;
                notifyClosed(1006, "connection closed without a close frame");
                closeConnection();
            }
        }

        @Override
        public void onError(Throwable t) {
            callbackThread = Thread.currentThread();
            try {
                LOG.debug("{}: {}", label, t.toString());
                readDone = true;
                WebSocketListener l = listener;
                if (l != null && !isNotified()) {
                    l.onError(t);
                }
                closeConnection();
            } finally {
                callbackThread = null;
            }
        }

        /** Makes room for {@code need} more bytes after {@code end}: compacts, or grows. */
        private void makeRoom(int need) {
            int length = end - start;
            if (start > 0 && buf.length - length >= need) {
                System.arraycopy(buf, start, buf, 0, length);
            } else {
                buf = Arrays.copyOfRange(buf, start, start + Math.max(buf.length * 2, length + need));
            }
            start = 0;
            end = length;
        }

        /** Handles every whole frame in the buffer. */
        private void parse() {
            while (!readDone && !discardInput) {
                int available = end - start;
                if (available < 2) {
                    break;
                }
                int b0 = buf[start] & 0xff;
                int b1 = buf[start + 1] & 0xff;
                boolean fin = (b0 & 0x80) != 0;
                int opcode = b0 & 0x0f;
                if ((b0 & 0x70) != 0) {
                    fail(1002, "reserved bits set without an extension");
                    return;
                }
                if ((b1 & 0x80) == 0) {
                    fail(1002, "client frame not masked");
                    return;
                }
                int header = 2;
                long length = b1 & 0x7f;
                if (length == 126) {
                    header = 4;
                    if (available < header) {
                        break;
                    }
                    length = ((buf[start + 2] & 0xff) << 8) | (buf[start + 3] & 0xff);
                } else if (length == 127) {
                    header = 10;
                    if (available < header) {
                        break;
                    }
                    length = 0;
                    for (int i = 2; i < 10; i++) {
                        length = (length << 8) | (buf[start + i] & 0xff);
                    }
                    if (length < 0) {
                        fail(1002, "frame length out of range");
                        return;
                    }
                }
                boolean control = opcode >= 8;
                if (control && (!fin || length > 125)) {
                    fail(1002, "fragmented or oversized control frame");
                    return;
                }
                if (!control && (long) messageLength + length > maxMessage) {
                    fail(1009, "message over " + maxMessage + " bytes");
                    return;
                }
                header += 4; // the mask key
                int frameLength = header + (int) length;
                if (available < frameLength) {
                    if (buf.length - start < frameLength) {
                        makeRoom(frameLength - (end - start));
                    }
                    break;
                }
                int payload = start + header;
                int len = (int) length;
                int mask = payload - 4;
                for (int i = 0; i < len; i++) {
                    buf[payload + i] ^= buf[mask + (i & 3)];
                }
                start += frameLength;
                frame(fin, opcode, payload, len);
            }
            if (start == end) {
                start = 0;
                end = 0;
                if (buf.length > INITIAL_READ_BUFFER) {
                    buf = new byte[INITIAL_READ_BUFFER]; // not kept after a large message
                }
            }
        }

        private void frame(boolean fin, int opcode, int offset, int len) {
            switch (opcode) {
                case 0x0 -> {
                    if (messageOpcode == 0) {
                        fail(1002, "continuation frame without a message");
                        return;
                    }
                    append(offset, len);
                    if (fin) {
                        int op = messageOpcode;
                        byte[] whole = message;
                        int length = messageLength;
                        messageOpcode = 0;
                        messageLength = 0;
                        message = EMPTY;
                        deliver(op, whole, 0, length); // decoded or copied: not kept
                    }
                }
                case 0x1, 0x2 -> {
                    if (messageOpcode != 0) {
                        fail(1002, "new message inside a fragmented one");
                        return;
                    }
                    if (fin) {
                        deliver(opcode, buf, offset, len);
                    } else {
                        messageOpcode = opcode;
                        append(offset, len);
                    }
                }
                case 0x8 -> onCloseFrame(offset, len);
                case 0x9 -> sendControl(0xA, Arrays.copyOfRange(buf, offset, offset + len));
                case 0xA -> {
                    // an unsolicited pong needs no answer
                }
                default -> fail(1002, "unknown opcode " + opcode);
            }
        }

        private void append(int offset, int len) {
            if (messageLength + len > message.length) {
                message = Arrays.copyOf(message, Math.max(messageLength + len, Math.max(256, message.length * 2)));
            }
            System.arraycopy(buf, offset, message, messageLength, len);
            messageLength += len;
        }

        private void deliver(int opcode, byte[] data, int offset, int len) {
            if (closeSent) {
                return; // the server is closing: what the client sent meanwhile is not delivered
            }
            if (opcode == 0x1) {
                String text = Utf8.decode(data, offset, len);
                if (text == null) {
                    fail(1007, "invalid UTF-8 in a text message");
                    return;
                }
                listener.onText(text);
            } else {
                listener.onBinary(Arrays.copyOfRange(data, offset, offset + len));
            }
        }

        private void onCloseFrame(int offset, int len) {
            int code = 1005;
            String reason = "";
            if (len == 1) {
                fail(1002, "close frame with a one-byte payload");
                return;
            }
            if (len >= 2) {
                code = ((buf[offset] & 0xff) << 8) | (buf[offset + 1] & 0xff);
                if (!validCloseCode(code)) {
                    fail(1002, "invalid close code " + code);
                    return;
                }
                reason = Utf8.decode(buf, offset + 2, len - 2);
                if (reason == null) {
                    fail(1007, "invalid UTF-8 in a close reason");
                    return;
                }
            }
            readDone = true;
            // answer with the same code (none for none), then close once it is written
            sendClose(code == 1005 ? -1 : code, "");
            notifyClosed(code, reason);
        }

        private static boolean validCloseCode(int code) {
            return code >= 1000 && code <= 1003 || code >= 1007 && code <= 1011 || code >= 3000 && code <= 4999;
        }

        /**
         * A protocol error: closes with {@code code} and tells the engine. What the client still
         * sends is read and dropped until it ends the connection or the linger time is over, so
         * that the connection ends with a FIN, not with a reset that could destroy the close frame
         * before the client reads it.
         */
        private void fail(int code, String reason) {
            LOG.debug("{}: closing with {}: {}", label, code, reason);
            discardInput = true;
            sendClose(code, reason);
            notifyClosed(code, reason);
        }

        // ---- writing

        @Override
        public void sendText(String text, SendCallback done) {
            send(0x1, text.getBytes(StandardCharsets.UTF_8), false, done);
        }

        @Override
        public boolean prefersUtf8() {
            return true;
        }

        @Override
        public void sendTextUtf8(byte[] utf8, SendCallback done) {
            send(0x1, utf8, false, done);
        }

        @Override
        public void sendBinary(byte[] data, SendCallback done) {
            send(0x2, data, false, done);
        }

        @Override
        public void sendText(String text, boolean more, SendCallback done) {
            send(0x1, text.getBytes(StandardCharsets.UTF_8), more, done);
        }

        @Override
        public void sendTextUtf8(byte[] utf8, boolean more, SendCallback done) {
            send(0x1, utf8, more, done);
        }

        @Override
        public void sendBinary(byte[] data, boolean more, SendCallback done) {
            send(0x2, data, more, done);
        }

        @Override
        public Executor executor() {
            return containerExecutor;
        }

        @Override
        public void close(int code, String reason) {
            sendClose(code, reason);
        }

        private void send(int opcode, byte[] payload, boolean more, SendCallback done) {
            List<SendCallback> completed = null;
            IOException failure = null;
            synchronized (lock) {
                if (closeSent || closed) {
                    failure = new IOException("WebSocket closed");
                } else {
                    appendFrame(opcode, payload, 0, payload.length);
                    if (more && !waitingForWrite) {
                        // held back for the next send's write; while the connection cannot take
                        // more, it completes only once written, so nothing piles up here
                        completed = List.of(done);
                    } else {
                        pendingCallbacks.add(done);
                        completed = writeLocked();
                    }
                }
            }
            if (failure != null) {
                done.done(failure);
                return;
            }
            complete(completed);
        }

        private void sendControl(int opcode, byte[] payload) {
            List<SendCallback> completed = null;
            synchronized (lock) {
                if (closeSent || closed) {
                    return;
                }
                appendFrame(opcode, payload, 0, payload.length);
                completed = writeLocked();
            }
            complete(completed);
        }

        /**
         * Writes a close frame (with no code when {@code code} is negative) after everything
         * queued, then no other frame. Once it is written the connection ends when the client's
         * close frame arrives (at once if it already did), when the client ends the connection,
         * or after {@link EngineEndpoint#CLOSE_TIMEOUT_MILLIS}, as on the other WebSocket paths: a
         * client that does not answer close frames (some do not) cannot hold the connection open,
         * and one whose data is still arriving is not answered with a reset.
         */
        private void sendClose(int code, String reason) {
            List<SendCallback> completed = null;
            boolean waiting;
            synchronized (lock) {
                if (closed) {
                    return;
                }
                if (!closeSent) {
                    closeSent = true;
                    byte[] payload = EMPTY;
                    if (code >= 0) {
                        byte[] r = reason == null ? EMPTY : reason.getBytes(StandardCharsets.UTF_8);
                        int rl = Math.min(r.length, 123);
                        payload = new byte[2 + rl];
                        payload[0] = (byte) (code >> 8);
                        payload[1] = (byte) code;
                        System.arraycopy(r, 0, payload, 2, rl);
                    }
                    appendFrame(0x8, payload, 0, payload.length);
                }
                closeAfterWrite = true;
                completed = writeLocked();
                waiting = !closed && !closeTimerStarted && !lingering;
                closeTimerStarted |= waiting;
            }
            complete(completed);
            if (waiting) {
                startCloseTimer();
            }
        }

        /**
         * Ends the connection if the close frame is still not written after the acceptor's idle
         * timeout: a client that stopped reading cannot hold it, nor what is queued for it.
         */
        private void startCloseTimer() {
            long timeout = acceptor.idleTimeoutMillis();
            if (timeout > 0) {
                armCloseTimer(timeout);
            }
        }

        /** Ends the connection in {@code delayMillis} unless it ended before; now if no timer can be had. */
        private void armCloseTimer(long delayMillis) {
            Future<?> timer;
            try {
                timer = acceptor.schedule(this::closeTimedOut, delayMillis);
            } catch (RuntimeException e) {
                LOG.debug("{}: no close timer ({}): ending the connection now", label, e.toString());
                closeTimedOut();
                return;
            }
            boolean cancel;
            synchronized (lock) {
                closeTimer = timer;
                cancel = closed;
            }
            if (cancel) {
                timer.cancel(false);
            }
        }

        private void closeTimedOut() {
            synchronized (lock) {
                if (closed) {
                    return;
                }
                LOG.debug("{}: the close handshake did not end in time: ending the connection", label);
                closeLocked();
            }
            complete(null);
            notifyClosed(1006, "close frame not taken in time");
        }

        /**
         * Once our close frame is written and the client has not answered it: replaces the timer
         * that waited for the write with one of {@link EngineEndpoint#CLOSE_TIMEOUT_MILLIS}.
         */
        private void startLingerIfDue() {
            Future<?> previous;
            synchronized (lock) {
                if (!lingerDue || closed) {
                    return;
                }
                lingerDue = false;
                previous = closeTimer;
                closeTimer = null;
            }
            if (previous != null) {
                previous.cancel(false);
            }
            armCloseTimer(EngineEndpoint.CLOSE_TIMEOUT_MILLIS);
        }

        private void appendFrame(int opcode, byte[] payload, int offset, int len) {
            int header = len < 126 ? 2 : len < 65536 ? 4 : 10;
            int need = pendingLength + header + len;
            if (need > pending.length) {
                pending = Arrays.copyOf(pending, Math.max(need, pending.length * 2));
            }
            byte[] p = pending;
            int i = pendingLength;
            p[i++] = (byte) (0x80 | opcode);
            if (len < 126) {
                p[i++] = (byte) len;
            } else if (len < 65536) {
                p[i++] = 126;
                p[i++] = (byte) (len >> 8);
                p[i++] = (byte) len;
            } else {
                p[i++] = 127;
                long l = len;
                for (int s = 56; s >= 0; s -= 8) {
                    p[i++] = (byte) (l >> s);
                }
            }
            System.arraycopy(payload, offset, p, i, len);
            pendingLength = need;
        }

        /**
         * Hands what is pending to the container if it can take it now. Returns the callbacks
         * whose frames it took whole, or null; the others complete in onWritePossible.
         */
        private List<SendCallback> writeLocked() {
            if (waitingForWrite || closed) {
                return null;
            }
            try {
                if (pendingLength > 0) {
                    if (!out.isReady()) {
                        waitingForWrite = true;
                        return null;
                    }
                    if (exactWrites && pendingLength != pending.length) {
                        out.write(Arrays.copyOf(pending, pendingLength));
                    } else {
                        out.write(pending, 0, pendingLength);
                    }
                    pendingLength = 0;
                    if (pending.length > 64 * 1024) {
                        pending = new byte[256];
                    }
                    writtenCallbacks.addAll(pendingCallbacks);
                    pendingCallbacks.clear();
                    out.flush();
                }
                if (!out.isReady()) {
                    waitingForWrite = true;
                    return null;
                }
            } catch (IOException | IllegalStateException e) {
                LOG.debug("{}: write failed: {}", label, e.toString());
                closeLocked(); // what was not written fails in complete
                return null;
            }
            List<SendCallback> completed = null;
            if (!writtenCallbacks.isEmpty()) {
                completed = writtenCallbacks.size() == 1
                        ? List.of(writtenCallbacks.get(0)) // the usual case: one message
                        : new ArrayList<>(writtenCallbacks);
                writtenCallbacks.clear();
            }
            if (closeAfterWrite) {
                if (readDone) {
                    closeLocked();
                } else if (!lingering) {
                    lingering = true;
                    lingerDue = true;
                }
            }
            return completed;
        }

        /**
         * The write side's callbacks. Kept apart from the read side's, which has an
         * {@code onError} of the same name: a container may report one error on each side.
         */
        private final class Writes implements WriteListener {
            private final AtomicBoolean failed = new AtomicBoolean();
            /** The thread inside the first {@link #onError}, while it is there. */
            private volatile Thread reporting;

            @Override
            public void onWritePossible() {
                Connection.this.onWritePossible();
            }

            @Override
            public void onError(Throwable t) {
                if (!failed.compareAndSet(false, true)) {
                    if (reporting == Thread.currentThread()) {
                        // Reported again from inside the first report: closing the connection
                        // there made the container flush again (Tomcat). Nothing more to do.
                        return;
                    }
                    // Undertow 2.3's upgraded stream, when a write of data it kept for later
                    // fails, reports the error, closes the connection and writes again, in a
                    // loop on its I/O thread that only an exception ends.
                    throw new IllegalStateException(label + ": the container reported a failed write again ("
                            + t + "); ending its retries");
                }
                reporting = Thread.currentThread();
                try {
                    Connection.this.onError(t);
                } finally {
                    reporting = null;
                }
            }
        }

        private void onWritePossible() {
            callbackThread = Thread.currentThread();
            try {
                List<SendCallback> completed;
                synchronized (lock) {
                    waitingForWrite = false;
                    completed = writeLocked();
                }
                complete(completed);
            } finally {
                callbackThread = null;
            }
        }

        /** Runs callbacks, and what a close decided under the lock; never called holding it. */
        private void complete(List<SendCallback> callbacks) {
            if (callbacks != null) {
                for (SendCallback cb : callbacks) {
                    cb.done(null);
                }
            }
            startLingerIfDue();
            if (closed && ended.compareAndSet(false, true)) {
                end();
            }
            failAbandoned();
        }

        /**
         * Closes the upgraded connection. On a container thread inside one of its callbacks, that
         * is enough: the container ends the TCP connection when the callback returns. Elsewhere,
         * Tomcat would end it only at its next read or write event on it (which a client that
         * does not answer our close frame never causes), so it is ended through the container
         * ({@link #endNow}).
         */
        private void end() {
            Future<?> timer;
            synchronized (lock) {
                timer = closeTimer;
            }
            if (timer != null) {
                timer.cancel(false);
            }
            try {
                webConnection.close();
            } catch (Exception e) {
                LOG.debug("{}: close: {}", label, e.toString());
            }
            if (!destroyed && Thread.currentThread() != callbackThread) {
                endNow(in, label);
            }
        }

        /** Fails the callbacks of frames that will never be written, once closed. */
        private void failAbandoned() {
            List<SendCallback> abandoned;
            synchronized (lock) {
                if (!closed || pendingCallbacks.isEmpty() && writtenCallbacks.isEmpty()) {
                    return;
                }
                abandoned = new ArrayList<>(pendingCallbacks);
                abandoned.addAll(writtenCallbacks);
                pendingCallbacks.clear();
                writtenCallbacks.clear();
            }
            IOException failure = new IOException("WebSocket closed");
            for (SendCallback cb : abandoned) {
                cb.done(failure);
            }
        }

        /** Closes the connection now (from any thread), and tells the engine if it does not know. */
        private void closeConnection() {
            synchronized (lock) {
                closeLocked();
            }
            complete(null);
            notifyClosed(1006, "connection closed");
        }

        /** Marks the connection closed; the caller then calls {@link #complete}, outside the lock. */
        private void closeLocked() {
            closed = true;
            pendingLength = 0;
        }

        /** The container ended the connection. */
        void destroyed() {
            destroyed = true;
            closeConnection();
        }

        private boolean isNotified() {
            synchronized (lock) {
                return notified;
            }
        }

        private void notifyClosed(int code, String reason) {
            synchronized (lock) {
                if (notified) {
                    return;
                }
                notified = true;
            }
            WebSocketListener l = listener;
            if (l != null) {
                l.onClose(code, reason);
            }
        }
    }
}
