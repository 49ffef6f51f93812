package org.jsio.servlet;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.exception.BadPayloadException;
import org.jsio.engine.spi.WebSocketAcceptor;
import org.jsio.engine.spi.WebSocketConnection;
import org.jsio.engine.spi.WebSocketListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One engine WebSocket on Jetty 12's WebSocket core: the same job as {@link EngineEndpoint} on
 * the Jakarta API, without the Jakarta layer's per-message work.
 *
 * <p>Receiving: text and binary messages are assembled from their frames here and handed to the
 * engine whole; text is decoded in one pass and invalid UTF-8 is refused with close code 1007
 * (as Jetty's Jakarta layer does); a message that grows past the engine's limit is refused with
 * close code 1009 as soon as it does. Pings are answered with a pong carrying their payload; the
 * peer's close frame is reported to the engine when it arrives, and Jetty answers it. One frame is
 * asked for at a time, after the previous one was handled.
 *
 * <p>Sending: text goes out as UTF-8 bytes ({@link WebSocketConnection#sendTextUtf8}), so a
 * packet sent to many connections is encoded once and its bytes are shared; every send wraps them
 * in a buffer of its own. Frames the engine sends with more behind them are batched by Jetty and
 * written together with the last of the run. Closing follows {@link EngineEndpoint}'s rules: the
 * close frame is written on a thread of its small pool, never the caller's; a peer that does not answer it is
 * dropped after {@value EngineEndpoint#CLOSE_TIMEOUT_MILLIS} ms; the engine hears of one close
 * only, and not of a close it asked for; and the engine's session is let go once closed.
 */
final class JettyCoreEndpoint implements FrameHandler {
    private static final Logger LOG = LoggerFactory.getLogger(JettyCoreEndpoint.class);
    private static final int TOO_BIG = CloseStatus.MESSAGE_TOO_LARGE;
    /** Largest message decoded and delivered on the thread that read it; larger ones are handed off. */
    static final int INLINE_MESSAGE_LIMIT = 64 * 1024;

    private final WebSocketAcceptor acceptor;
    private final int max;
    private final EngineEndpoint.Relay relay = new EngineEndpoint.Relay();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile WebSocketListener listener;
    private volatile CoreConnection connection;

    // Message assembly: only touched by onFrame, which Jetty never calls concurrently, and by a
    // message handed off, before the next frame is asked for.
    private byte dataType = OpCode.UNDEFINED;
    private byte[] parts;
    private int partsLength;
    private boolean refused;

    JettyCoreEndpoint(WebSocketAcceptor acceptor) {
        this.acceptor = acceptor;
        this.max = acceptor.maxMessageSize();
    }

    @Override
    public void onOpen(CoreSession session, Callback callback) {
        CoreConnection c = new CoreConnection(session, relay);
        connection = c;
        try {
            relay.target = acceptor.open(c);
            listener = relay;
        } catch (RuntimeException e) {
            LOG.error("WebSocket {}: the engine failed to open it", session.getRemoteAddress(), e);
            c.closeSession(CloseStatus.SERVER_ERROR, "");
        }
        callback.succeeded();
        session.demand();
    }

    @Override
    public void onFrame(Frame frame, Callback callback) {
        switch (frame.getOpCode()) {
            case OpCode.TEXT:
            case OpCode.BINARY:
                dataType = frame.getOpCode();
                onData(frame, callback);
                break;
            case OpCode.CONTINUATION:
                onData(frame, callback);
                break;
            case OpCode.PING:
                onPing(frame, callback);
                break;
            case OpCode.CLOSE:
                onCloseFrame(frame, callback);
                break;
            default: // PONG: nothing to do
                callback.succeeded();
                demand();
                break;
        }
    }

    private void demand() {
        CoreConnection c = connection;
        if (c != null) {
            c.session.demand();
        }
    }

    private void onData(Frame frame, Callback callback) {
        ByteBuffer payload = frame.getPayload();
        int size = payload == null ? 0 : payload.remaining();
        boolean last = frame.isFin();
        byte type = dataType;
        if (last) {
            dataType = OpCode.UNDEFINED;
        }
        if (refused || listener == null) {
            callback.succeeded();
            demand();
            return;
        }
        if ((long) partsLength + size > max) {
            refused = true;
            parts = null;
            partsLength = 0;
            callback.succeeded();
            connection.closeSession(TOO_BIG, "message too big");
            demand();
            return;
        }
        byte[] whole;
        int length;
        if (parts == null && last) {
            whole = new byte[size];
            if (size > 0) {
                payload.duplicate().get(whole);
            }
            length = size;
        } else {
            append(payload, size);
            if (!last) {
                callback.succeeded();
                demand();
                return;
            }
            whole = parts;
            length = partsLength;
            parts = null;
            partsLength = 0;
        }
        if (length > INLINE_MESSAGE_LIMIT) {
            handOff(type, whole, length, callback);
            return;
        }
        if (take(type, whole, length, callback)) {
            demand();
        }
    }

    /**
     * Decodes a whole message and hands it to the engine, then completes its last frame's
     * callback; for invalid UTF-8, fails it instead, so that Jetty closes with 1007, and answers
     * false (no more frames are asked for).
     */
    private boolean take(byte type, byte[] whole, int length, Callback callback) {
        if (type == OpCode.TEXT) {
            String text = Utf8.decode(whole, 0, length);
            if (text == null) {
                refused = true;
                // Jetty closes with 1007 and reports the error, as its Jakarta layer does.
                callback.failed(new BadPayloadException("invalid UTF-8 in a text message"));
                return false;
            }
            callback.succeeded();
            deliver(text, null);
        } else {
            callback.succeeded();
            deliver(null, length == whole.length ? whole : Arrays.copyOf(whole, length));
        }
        return true;
    }

    /**
     * Decodes and delivers a large message on one of Jetty's pool threads rather than on the
     * thread that read it, which may be Jetty's selector (see {@link JettyCoreHandshaker}): other
     * connections' reads do not wait for it. The next frame is asked for once it is delivered, so
     * messages still reach the engine in order.
     */
    private void handOff(byte type, byte[] whole, int length, Callback callback) {
        Runnable task = () -> {
            if (take(type, whole, length, callback)) {
                demand();
            }
        };
        try {
            connection.session.getWebSocketComponents().getExecutor().execute(task);
        } catch (RuntimeException e) { // no executor, or it refused the task (stopping)
            task.run();
        }
    }

    /**
     * Hands a whole message to the engine. The frame's callback is already completed, so a failure
     * here must not reach Jetty (it would complete it again): the connection is closed with 1011.
     */
    private void deliver(String text, byte[] binary) {
        try {
            if (text != null) {
                listener.onText(text);
            } else {
                listener.onBinary(binary);
            }
        } catch (RuntimeException e) {
            LOG.error("WebSocket {}: the engine failed to take a message", connection.session.getRemoteAddress(), e);
            connection.closeSession(CloseStatus.SERVER_ERROR, "");
        }
    }

    /** Adds a fragment to the message being assembled; the caller checked the limit. */
    private void append(ByteBuffer payload, int size) {
        int needed = partsLength + size;
        if (parts == null) {
            parts = new byte[Math.min(max, Math.max(needed * 2, 256))];
        } else if (needed > parts.length) {
            parts = Arrays.copyOf(parts, (int) Math.min(max, Math.max((long) needed, 2L * parts.length)));
        }
        if (size > 0) {
            payload.duplicate().get(parts, partsLength, size);
        }
        partsLength = needed;
    }

    private void onPing(Frame frame, Callback callback) {
        CoreConnection c = connection;
        Callback next = Callback.from(() -> {
            callback.succeeded();
            demand();
        }, failure -> {
            // the output may be closed already while a ping still arrives
            callback.succeeded();
            demand();
        });
        c.session.sendFrame(new Frame(OpCode.PONG).setPayload(frame.getPayload()), next, false);
    }

    private void onCloseFrame(Frame frame, Callback callback) {
        CloseStatus status;
        try {
            status = CloseStatus.getCloseStatus(frame);
        } catch (RuntimeException e) {
            callback.failed(e);
            return;
        }
        closedBy(status == null ? CloseStatus.NO_CODE : status.getCode(), status == null ? "" : status.getReason());
        // Jetty answers the close frame once this completes; no more frames are asked for.
        callback.succeeded();
    }

    @Override
    public void onError(Throwable cause, Callback callback) {
        WebSocketListener l = listener;
        if (l != null && !closed.get()) {
            l.onError(cause);
        } else {
            LOG.debug("WebSocket: {}", cause.toString());
        }
        callback.succeeded();
    }

    @Override
    public void onClosed(CloseStatus status, Callback callback) {
        closedBy(status.getCode(), status.getReason());
        relay.target = null;
        parts = null;
        callback.succeeded();
    }

    /** The connection is closing (by the peer, Jetty or the engine): tells the engine, once. */
    private void closedBy(int code, String reason) {
        CoreConnection c = connection;
        if (c != null) {
            // Jetty is closing this session already (answering the peer's close frame, or
            // sending its own): the engine must not start another close.
            c.closing.set(true);
        }
        WebSocketListener l = listener;
        if (l != null && closed.compareAndSet(false, true)) {
            l.onClose(code, reason == null ? "" : reason);
        }
    }

    /** The engine's view of the session; sends are never concurrent (the engine waits for each). */
    static final class CoreConnection extends EndpointConnection {
        private final CoreSession session;

        CoreConnection(CoreSession session, EngineEndpoint.Relay relay) {
            super(relay);
            this.session = session;
        }

        @Override
        public boolean prefersUtf8() {
            return true;
        }

        @Override
        public void sendText(String text, SendCallback done) {
            sendText(text, false, done);
        }

        @Override
        public void sendText(String text, boolean more, SendCallback done) {
            send(OpCode.TEXT, text.getBytes(StandardCharsets.UTF_8), more, done);
        }

        @Override
        public void sendTextUtf8(byte[] utf8, SendCallback done) {
            send(OpCode.TEXT, utf8, false, done);
        }

        @Override
        public void sendTextUtf8(byte[] utf8, boolean more, SendCallback done) {
            send(OpCode.TEXT, utf8, more, done);
        }

        @Override
        public void sendBinary(byte[] data, SendCallback done) {
            send(OpCode.BINARY, data, false, done);
        }

        @Override
        public void sendBinary(byte[] data, boolean more, SendCallback done) {
            send(OpCode.BINARY, data, more, done);
        }

        /**
         * Hands one frame to Jetty. With {@code more}, Jetty's batch mode copies a small frame
         * into its output buffer and completes at once; the next frame sent without it writes
         * the buffer and itself together.
         */
        private void send(byte opCode, byte[] data, boolean more, SendCallback done) {
            Once callback = new Once(done);
            try {
                session.sendFrame(new Frame(opCode, true, ByteBuffer.wrap(data)), callback, more);
            } catch (RuntimeException e) {
                callback.failed(e);
            }
        }

        @Override
        void closeNow(int code, String reason) {
            try {
                // A peer that never answers the close frame is dropped through the idle timeout.
                session.setIdleTimeout(Duration.ofMillis(EngineEndpoint.CLOSE_TIMEOUT_MILLIS));
                session.close(code, reason, Callback.NOOP);
            } catch (RuntimeException e) {
                LOG.debug("WebSocket {}: close failed: {}", session.getRemoteAddress(), e.toString());
            }
        }
    }

    /** Completes one send once. */
    private static final class Once implements Callback {
        private final WebSocketConnection.SendCallback done;
        private final AtomicBoolean called = new AtomicBoolean();

        Once(WebSocketConnection.SendCallback done) {
            this.done = done;
        }

        @Override
        public void succeeded() {
            if (called.compareAndSet(false, true)) {
                done.done(null);
            }
        }

        @Override
        public void failed(Throwable failure) {
            if (called.compareAndSet(false, true)) {
                done.done(failure != null ? failure : new IOException("WebSocket send failed"));
            }
        }
    }
}
