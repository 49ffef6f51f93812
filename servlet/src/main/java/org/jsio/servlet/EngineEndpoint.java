package org.jsio.servlet;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jsio.engine.spi.WebSocketAcceptor;
import org.jsio.engine.spi.WebSocketConnection;
import org.jsio.engine.spi.WebSocketListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Jakarta WebSocket endpoint of one engine WebSocket. {@link SocketIoServlet} creates one per
 * upgraded request (through {@code ServerContainer.upgradeHttpToWebSocket}) bound to that
 * request's {@link WebSocketAcceptor}; it is not meant to be deployed on its own.
 *
 * <p>It assembles messages from the container's fragments itself, so the container keeps only
 * small frame buffers per connection and a message over the engine's limit is refused with close
 * code 1009 as soon as it grows past it. It feeds whole text and binary messages to the engine,
 * and gives the engine a
 * {@link WebSocketConnection} that sends through the session's asynchronous remote. The engine's
 * heartbeat decides when a client is gone; the container's idle timeout is set well beyond it
 * ({@link WebSocketAcceptor#idleTimeoutMillis()}) only to reclaim a connection whose peer stopped
 * reading and never took its close frame.
 *
 * <p>Closing never waits for the peer on the caller's thread: containers may block in
 * {@code Session.close} until the close frame is written (Tomcat, up to its blocking send
 * timeout, and first for a frame still on its way), so the close is done on a thread of a small
 * on-demand pool, and bounded to 2 s on both containers.
 *
 * <p>On Jetty 12 the servlet uses {@code JettyCoreEndpoint} instead when it can (see
 * {@code JettyWebSockets}); this endpoint serves Tomcat, and Jetty when that is switched off or
 * hidden from the web application.
 */
public final class EngineEndpoint extends Endpoint {
    private static final Logger LOG = LoggerFactory.getLogger(EngineEndpoint.class);

    private final WebSocketAcceptor acceptor;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile WebSocketListener listener;
    private volatile SessionConnection connection;

    EngineEndpoint(WebSocketAcceptor acceptor) {
        this.acceptor = acceptor;
    }

    @Override
    public void onOpen(Session session, EndpointConfig config) {
        int max = acceptor.maxMessageSize();
        session.setMaxIdleTimeout(acceptor.idleTimeoutMillis());
        Relay relay = new Relay();
        SessionConnection connection = new SessionConnection(session, relay);
        this.connection = connection;
        try {
            relay.target = acceptor.open(connection);
        } catch (RuntimeException e) {
            LOG.error("WebSocket {}: the engine failed to open it", session.getId(), e);
            connection.close(CloseReason.CloseCodes.UNEXPECTED_CONDITION.getCode(), "");
            return;
        }
        WebSocketListener l = relay;
        listener = l;
        session.addMessageHandler(String.class, new TextAssembler(l, connection, max));
        session.addMessageHandler(ByteBuffer.class, new BinaryAssembler(l, connection, max));
    }

    private static final int TOO_BIG = CloseReason.CloseCodes.TOO_BIG.getCode();
    /** How long a closed connection waits for the peer's close frame before it is dropped. */
    static final long CLOSE_TIMEOUT_MILLIS = 2_000;
    private static final String TOMCAT_CLOSE_TIMEOUT = "org.apache.tomcat.websocket.SESSION_CLOSE_TIMEOUT";
    private static final String TOMCAT_SEND_TIMEOUT = "org.apache.tomcat.websocket.BLOCKING_SEND_TIMEOUT";
    /** Joins text fragments; more than {@code max} characters is more than {@code max} UTF-8 bytes. */
    private static final class TextAssembler implements MessageHandler.Partial<String> {
        private final WebSocketListener listener;
        private final SessionConnection connection;
        private final int max;
        private StringBuilder parts;
        private boolean refused;

        TextAssembler(WebSocketListener listener, SessionConnection connection, int max) {
            this.listener = listener;
            this.connection = connection;
            this.max = max;
        }

        @Override
        public void onMessage(String part, boolean last) {
            if (refused) {
                return;
            }
            if (parts == null && last) {
                listener.onText(part);
                return;
            }
            if (parts == null) {
                parts = new StringBuilder(Math.min(max, Math.max(part.length() * 2, 256)));
            }
            if (parts.length() + part.length() > max) {
                refused = true;
                parts = null;
                connection.closeSession(TOO_BIG, "message too big");
                return;
            }
            parts.append(part);
            if (last) {
                String text = parts.toString();
                parts = null;
                listener.onText(text);
            }
        }
    }

    /** Joins binary fragments, refusing more than {@code max} bytes. */
    private static final class BinaryAssembler implements MessageHandler.Partial<ByteBuffer> {
        private final WebSocketListener listener;
        private final SessionConnection connection;
        private final int max;
        private java.io.ByteArrayOutputStream parts;
        private boolean refused;

        BinaryAssembler(WebSocketListener listener, SessionConnection connection, int max) {
            this.listener = listener;
            this.connection = connection;
            this.max = max;
        }

        @Override
        public void onMessage(ByteBuffer part, boolean last) {
            if (refused) {
                return;
            }
            int size = (parts == null ? 0 : parts.size()) + part.remaining();
            if (size > max) {
                refused = true;
                parts = null;
                connection.closeSession(TOO_BIG, "message too big");
                return;
            }
            byte[] bytes = new byte[part.remaining()];
            part.get(bytes);
            if (parts == null && last) {
                listener.onBinary(bytes);
                return;
            }
            if (parts == null) {
                parts = new java.io.ByteArrayOutputStream(Math.min(max, Math.max(bytes.length * 2, 256)));
            }
            parts.write(bytes, 0, bytes.length);
            if (last) {
                byte[] whole = parts.toByteArray();
                parts = null;
                listener.onBinary(whole);
            }
        }
    }

    @Override
    public void onClose(Session session, CloseReason closeReason) {
        SessionConnection c = connection;
        if (c != null) {
            // The container is closing this session already (and answering the peer's close
            // frame, or sending its own such as 1009): the engine must not start another close.
            c.closing.set(true);
        }
        WebSocketListener l = listener;
        if (l != null && closed.compareAndSet(false, true)) {
            l.onClose(closeReason.getCloseCode().getCode(), closeReason.getReasonPhrase());
        }
        if (c != null) {
            c.relay.target = null;
        }
    }

    @Override
    public void onError(Session session, Throwable error) {
        SessionConnection c = connection;
        if (c != null) {
            // The container closes the session itself after an error it reports (Tomcat with 1007
            // for invalid text): the engine's own close would race it with another code.
            c.closing.set(true);
        }
        WebSocketListener l = listener;
        if (l != null && !closed.get()) {
            l.onError(error);
        } else {
            LOG.debug("WebSocket {}: {}", session.getId(), error.toString());
        }
    }

    /**
     * Passes the container's callbacks on to the engine until the connection is closed. Then it
     * lets go of the engine's session: a container that keeps a closed session around (Tomcat
     * does, for some peers that reset the connection) keeps only this empty relay.
     */
    static final class Relay implements WebSocketListener {
        volatile WebSocketListener target;

        @Override
        public void onText(String text) {
            WebSocketListener t = target;
            if (t != null) {
                t.onText(text);
            }
        }

        @Override
        public void onBinary(byte[] data) {
            WebSocketListener t = target;
            if (t != null) {
                t.onBinary(data);
            }
        }

        @Override
        public void onClose(int code, String reason) {
            WebSocketListener t = target;
            if (t != null) {
                t.onClose(code, reason);
            }
        }

        @Override
        public void onError(Throwable error) {
            WebSocketListener t = target;
            if (t != null) {
                t.onError(error);
            }
        }
    }

    /** Hands the container a new endpoint bound to one upgrade's acceptor. */
    static final class Binder extends ServerEndpointConfig.Configurator {
        private final WebSocketAcceptor acceptor;

        Binder(WebSocketAcceptor acceptor) {
            this.acceptor = acceptor;
        }

        @Override
        public <T> T getEndpointInstance(Class<T> endpointClass) {
            return endpointClass.cast(new EngineEndpoint(acceptor));
        }
    }

    /** The engine's view of one session; sends are never concurrent (the engine waits for each). */
    private static final class SessionConnection extends EndpointConnection {
        private final Session session;

        SessionConnection(Session session, Relay relay) {
            super(relay);
            this.session = session;
        }

        @Override
        public void sendText(String text, SendCallback done) {
            SendHandler handler = once(done);
            try {
                session.getAsyncRemote().sendText(text, handler);
            } catch (RuntimeException e) {
                handler.onResult(new SendResult(e));
            }
        }

        @Override
        public void sendBinary(byte[] data, SendCallback done) {
            SendHandler handler = once(done);
            try {
                session.getAsyncRemote().sendBinary(ByteBuffer.wrap(data), handler);
            } catch (RuntimeException e) {
                handler.onResult(new SendResult(e));
            }
        }

        private static SendHandler once(SendCallback done) {
            AtomicBoolean called = new AtomicBoolean();
            return result -> {
                if (called.compareAndSet(false, true)) {
                    done.done(result.isOK() ? null : failure(result.getException()));
                }
            };
        }

        private static Throwable failure(Throwable t) {
            return t != null ? t : new IOException("WebSocket send failed");
        }

        @Override
        void closeNow(int code, String reason) {
            CloseReason why = new CloseReason(CloseReason.CloseCodes.getCloseCode(code), reason);
            try {
                // A peer that never answers the close frame (the official Java client does not)
                // is dropped after a while, as the reference server's ws library does: Jetty
                // through the idle timeout, Tomcat through its session close timeout.
                session.setMaxIdleTimeout(CLOSE_TIMEOUT_MILLIS);
                session.getUserProperties().put(TOMCAT_CLOSE_TIMEOUT, CLOSE_TIMEOUT_MILLIS);
                session.getUserProperties().put(TOMCAT_SEND_TIMEOUT, CLOSE_TIMEOUT_MILLIS);
                session.close(why);
            } catch (IOException | RuntimeException e) {
                LOG.debug("WebSocket {}: close failed: {}", session.getId(), e.toString());
            }
        }
    }
}
