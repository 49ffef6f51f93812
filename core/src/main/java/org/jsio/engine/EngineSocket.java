package org.jsio.engine;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jsio.engine.EngineOptions.Transport;
import org.jsio.engine.spi.BodyTooLargeException;
import org.jsio.engine.spi.HttpExchange;
import org.jsio.engine.spi.WebSocketConnection;
import org.jsio.engine.spi.WebSocketListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Engine.IO session: a client known by its {@link #id() sid}, reachable over long-polling or
 * WebSocket. Thread-safe; {@link #send} never blocks.
 */
public final class EngineSocket {
    private static final Logger LOG = LoggerFactory.getLogger(EngineSocket.class);
    private static final Logger PACKETS = LoggerFactory.getLogger("org.jsio.engine.packets");
    private static final int WS_NORMAL = 1000;
    private static final int WS_TOO_BIG = 1009;

    private enum State { OPEN, CLOSING, CLOSED }


    private final EngineServer server;
    private final String id;
    private final Handshake handshake;
    private final long pingIntervalNanos;
    private final long pingTimeoutNanos;

    // Guarded by "this".
    private State state = State.OPEN;
    private Transport transport;
    private final ArrayDeque<Packet> buffer = new ArrayDeque<>();
    private long bufferedBytes;
    /** The long-polling GET held until there is data, with the CORS headers of its answer. */
    private HeldGet pendingGet;
    private boolean postInFlight;
    private WsWriter writer;
    private WsWriter probe;
    private boolean probed;
    private ScheduledFuture<?> upgradeTimer;
    private long heartbeatBase;
    private boolean pingOutstanding;
    /** Whether the server's heartbeat sweep looks after this session (from {@link #start}). */
    private boolean heartbeatStarted;
    private ScheduledFuture<?> closeTimer;
    private boolean closeNotified;
    private boolean awaitingLastPoll;

    private volatile Object attachment;
    /** The executor of the container's transport that delivers this client's packets, if any. */
    private volatile Executor containerExecutor;

    EngineSocket(EngineServer server, String id, Handshake handshake, Transport transport) {
        this.server = server;
        this.id = id;
        this.handshake = handshake;
        this.transport = transport;
        this.pingIntervalNanos = server.options().pingInterval().toNanos();
        this.pingTimeoutNanos = server.options().pingTimeout().toNanos();
        this.heartbeatBase = System.nanoTime();
    }

    /** The session id ({@code sid}): a bearer secret, never shown to other clients. */
    public String id() {
        return id;
    }

    /** The request that opened the session. */
    public Handshake handshake() {
        return handshake;
    }

    /** The transport in use now. */
    public synchronized Transport transport() {
        return transport;
    }

    /** Whether the session is open (not closing or closed). */
    public synchronized boolean isOpen() {
        return state == State.OPEN;
    }

    /** An object the layer above keeps with the session (the Socket.IO connection). */
    public Object attachment() {
        return attachment;
    }

    /** Sets the {@link #attachment()}. */
    public void attachment(Object value) {
        this.attachment = value;
    }

    /** Sends a text message. Dropped silently when the session is no longer open. */
    public void send(String text) {
        send(Packet.message(text));
    }

    /** Sends a binary message; the array must not be changed afterwards. */
    public void send(byte[] data) {
        send(Packet.binary(data));
    }

    /** Sends a prepared message packet (encode once, send to many). */
    public void send(Packet packet) {
        send(List.of(packet));
    }

    /**
     * Sends prepared packets back to back: no packet of another sender is put between them (a
     * Socket.IO binary packet and its attachments).
     */
    public void send(List<Packet> packets) {
        send(packets, null);
    }

    /**
     * Like {@link #send(List)}, as one of the sends of {@code fanOut} (may be null): over an idle
     * WebSocket, the packets are written by the fan-out, off this thread.
     */
    public void send(List<Packet> packets, FanOut fanOut) {
        for (Packet p : packets) {
            trace("sending", p);
        }
        HeldGet flushTo = null;
        List<Packet> payload = null;
        WsWriter ws = null;
        boolean overflow = false;
        synchronized (this) {
            if (state != State.OPEN) {
                return;
            }
            if (writer != null) {
                ws = writer;
            } else if (buffer.size() + packets.size() > server.options().maxBufferedPackets()
                    || bufferedBytes + WsWriter.sizeOf(packets) > server.options().maxBufferedBytes()) {
                overflow = true;
            } else {
                buffer.addAll(packets);
                bufferedBytes += WsWriter.sizeOf(packets);
                if (pendingGet != null) {
                    flushTo = pendingGet;
                    pendingGet = null;
                    payload = drainLocked();
                }
            }
        }
        if (ws != null) {
            ws.send(packets, fanOut);
        } else if (overflow) {
            LOG.warn("session {}: client does not poll; closing it: {}", id, new BufferFullException(
                    server.options().maxBufferedPackets(), server.options().maxBufferedBytes()).getMessage());
            terminate(DisconnectReason.TRANSPORT_ERROR);
        } else if (flushTo != null) {
            respondPayload(flushTo, payload);
        }
    }

    /**
     * Sends prepared packets only if the client can take them now: a WebSocket with nothing
     * being written, or a poll waiting for data. Returns whether they were sent (volatile emits).
     */
    public boolean sendVolatile(List<Packet> packets) {
        return sendVolatile(packets, null);
    }

    /** Like {@link #sendVolatile(List)}, as one of the sends of {@code fanOut} (may be null). */
    public boolean sendVolatile(List<Packet> packets, FanOut fanOut) {
        HeldGet flushTo;
        List<Packet> payload;
        WsWriter ws;
        synchronized (this) {
            if (state != State.OPEN) {
                return false;
            }
            ws = writer;
            if (ws == null) {
                if (pendingGet == null || !buffer.isEmpty()) {
                    return false;
                }
                buffer.addAll(packets);
                bufferedBytes += WsWriter.sizeOf(packets);
                flushTo = pendingGet;
                pendingGet = null;
                payload = drainLocked();
            } else {
                flushTo = null;
                payload = null;
            }
        }
        if (ws != null) {
            return ws.sendIfIdle(packets, fanOut);
        }
        respondPayload(flushTo, payload);
        return true;
    }

    /**
     * Closes the session from the server side: what is queued is still delivered, then the
     * transport is closed.
     */
    public void close() {
        close(DisconnectReason.SERVER_DISCONNECT);
    }

    /**
     * Like {@link #close()}, reporting {@code reason} to the {@link EngineHandler}.
     */
    public void close(DisconnectReason reason) {
        HeldGet flushTo = null;
        List<Packet> payload = null;
        WsWriter ws;
        WsWriter probeWriter;
        synchronized (this) {
            if (state != State.OPEN) {
                return;
            }
            state = State.CLOSING;
            cancelTimersLocked();
            ws = writer;
            probeWriter = probe;
            probe = null;
            if (ws == null) {
                buffer.add(Packet.CLOSE);
                bufferedBytes += Packet.CLOSE.size();
                if (pendingGet != null) {
                    flushTo = pendingGet;
                    pendingGet = null;
                    payload = drainLocked();
                } else {
                    long grace = pingIntervalNanos + pingTimeoutNanos;
                    closeTimer = server.scheduler().schedule(this::finish, grace, TimeUnit.NANOSECONDS);
                }
            }
        }
        if (probeWriter != null) {
            closeStep(() -> probeWriter.closeNow(WS_NORMAL));
        }
        notifyClose(reason);
        if (ws != null) {
            closeStep(() -> ws.closeAfterDrain(WS_NORMAL));
            finish();
        } else if (flushTo != null) {
            HeldGet held = flushTo;
            List<Packet> last = payload;
            closeStep(() -> respondPayload(held, last));
            finish();
        }
    }

    /** Ends the session at once: nothing more is sent. A held GET is answered. */
    void terminate(DisconnectReason reason) {
        HeldGet held;
        WsWriter ws;
        WsWriter probeWriter;
        boolean keepForLastPoll;
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            state = State.CLOSED;
            cancelTimersLocked();
            held = pendingGet;
            pendingGet = null;
            ws = writer;
            probeWriter = probe;
            probe = null;
            clearBufferLocked();
            // A client that closes over polling may have its last GET still on the way (sent
            // before the close, handled after it): that GET gets the noop it would have got
            // had it been held. The session id stays known for one ping timeout for it.
            keepForLastPoll = reason == DisconnectReason.CLIENT_DISCONNECT && held == null && ws == null;
            if (keepForLastPoll) {
                awaitingLastPoll = true;
                closeTimer = server.scheduler().schedule(() -> server.remove(this), pingTimeoutNanos,
                        TimeUnit.NANOSECONDS);
            }
        }
        if (!keepForLastPoll) {
            server.remove(this);
        }
        if (held != null) {
            Packet last = reason == DisconnectReason.CLIENT_DISCONNECT ? Packet.NOOP : Packet.CLOSE;
            closeStep(() -> respondPayload(held, List.of(last)));
        }
        if (ws != null) {
            closeStep(() -> ws.closeNow(WS_NORMAL));
        }
        if (probeWriter != null) {
            closeStep(() -> probeWriter.closeNow(WS_NORMAL));
        }
        notifyClose(reason);
    }

    /**
     * Runs one step of ending the session that calls into the container's adapter. The adapter
     * is not meant to throw; should it, the failure is logged and the session still ends, so that
     * one connection cannot stop the others from closing (the server's shutdown closes them all
     * in a row).
     */
    private void closeStep(Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            LOG.warn("session {}: its transport failed to close", id, e);
        }
    }

    /** Removes a gracefully closed session once its last packets went out. */
    private void finish() {
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            state = State.CLOSED;
            cancelTimersLocked();
            clearBufferLocked();
        }
        server.remove(this);
    }

    private void notifyClose(DisconnectReason reason) {
        synchronized (this) {
            if (closeNotified) {
                return;
            }
            closeNotified = true;
        }
        try {
            server.handler().onClose(this, reason);
        } catch (RuntimeException e) {
            LOG.error("session {}: close handler failed", id, e);
        }
    }

    private void cancelTimersLocked() {
        if (upgradeTimer != null) {
            upgradeTimer.cancel(false);
            upgradeTimer = null;
        }
        if (closeTimer != null) {
            closeTimer.cancel(false);
            closeTimer = null;
        }
    }

    // ---------------------------------------------------------------- heartbeat

    /**
     * Starts the heartbeat: the first ping is due one interval after the session was created
     * (before the open packet went out, so the client's clock never runs ahead of ours). The
     * server's sweep ({@link EngineServer}) sends the pings and ends sessions that miss a pong;
     * no session has a timer of its own.
     */
    void start() {
        synchronized (this) {
            if (state != State.OPEN) {
                return;
            }
            heartbeatStarted = true;
        }
        server.heartbeatStarted();
    }

    /**
     * One look of the heartbeat sweep at this session at {@code now}: pings it when its interval
     * is over, ends it when its pong is overdue. The deadline counts from when the ping was due,
     * not from when the sweep came by.
     */
    void heartbeat(long now) {
        boolean ping = false;
        boolean expired = false;
        synchronized (this) {
            if (state != State.OPEN || !heartbeatStarted) {
                return;
            }
            if (!pingOutstanding) {
                if (now - (heartbeatBase + pingIntervalNanos) >= 0) {
                    pingOutstanding = true;
                    ping = true;
                }
            } else if (now - (heartbeatBase + pingIntervalNanos + pingTimeoutNanos) > 0) {
                expired = true;
            }
        }
        if (ping) {
            send(Packet.PING);
        } else if (expired) {
            LOG.debug("session {}: ping timeout", id);
            terminate(DisconnectReason.PING_TIMEOUT);
        }
    }

    private void onPong() {
        synchronized (this) {
            if (state != State.OPEN) {
                return;
            }
            pingOutstanding = false;
            heartbeatBase = System.nanoTime();
        }
    }

    /**
     * Whether the client missed its heartbeat deadline, judged from the clock rather than from
     * the timers (which may run late on a loaded machine). Ends the session if so.
     */
    boolean checkExpired() {
        boolean expired;
        synchronized (this) {
            expired = state == State.OPEN
                    && System.nanoTime() - (heartbeatBase + pingIntervalNanos + pingTimeoutNanos) > 0;
        }
        if (expired) {
            terminate(DisconnectReason.PING_TIMEOUT);
        }
        return expired;
    }

    // ---------------------------------------------------------------- incoming packets

    private void trace(String direction, Packet packet) {
        if (server.options().logger() ? PACKETS.isInfoEnabled() : PACKETS.isDebugEnabled()) {
            String text = id + " " + direction + " " + EngineServer.sanitize(packet.toString());
            if (server.options().logger()) {
                PACKETS.info(text);
            } else {
                PACKETS.debug(text);
            }
        }
    }

    private void onPacket(Packet packet) {
        trace("received", packet);
        switch (packet.type()) {
            case MESSAGE:
                try {
                    if (packet.isBinary()) {
                        server.handler().onBinary(this, packet.binary());
                    } else {
                        server.handler().onMessage(this, packet.text());
                    }
                } catch (RuntimeException e) {
                    LOG.error("session {}: message handler failed", id, e);
                }
                break;
            case PONG:
                onPong();
                break;
            case CLOSE:
                terminate(DisconnectReason.CLIENT_DISCONNECT);
                break;
            case PING:
                LOG.debug("session {}: ping from client (invalid heartbeat direction)", id);
                terminate(DisconnectReason.TRANSPORT_ERROR);
                break;
            case UPGRADE:
            case NOOP:
                break;
            default:
                LOG.debug("session {}: unexpected {} packet", id, packet.type());
                terminate(DisconnectReason.PARSE_ERROR);
        }
    }

    private synchronized boolean isClosed() {
        return state == State.CLOSED;
    }

    // ---------------------------------------------------------------- polling

    void handleGet(HttpExchange exchange, Map<String, String> headers) {
        List<Packet> payload = null;
        boolean duplicate = false;
        boolean gone = false;
        boolean finishAfter = false;
        boolean lastPoll = false;
        synchronized (this) {
            if (state == State.CLOSED) {
                gone = true;
                lastPoll = awaitingLastPoll;
                awaitingLastPoll = false;
            } else if (transport != Transport.POLLING) {
                // raced with an upgrade: the caller checked before taking the lock
                gone = true;
            } else if (pendingGet != null) {
                duplicate = true;
            } else if (!buffer.isEmpty()) {
                payload = drainLocked();
                finishAfter = state == State.CLOSING;
            } else {
                pendingGet = new HeldGet(exchange, headers);
                exchange.suspend(() -> onGetAborted(exchange));
                if (probed) {
                    // Upgrading: release the poll with a noop soon, unless the upgrade completes
                    // first (then this request raced the client's "5" and is refused).
                    server.scheduler().schedule(() -> releaseWithNoop(exchange), server.upgradeNoopDelayMillis,
                            TimeUnit.MILLISECONDS);
                }
            }
        }
        if (lastPoll) {
            server.remove(this);
            respondPayload(exchange, List.of(Packet.NOOP), headers);
        } else if (gone) {
            server.respondError(exchange, headers, isClosed() ? EngineServer.Error.UNKNOWN_SID
                    : EngineServer.Error.BAD_REQUEST);
        } else if (duplicate) {
            LOG.debug("session {}: overlapping GET requests; closing", id);
            terminate(DisconnectReason.TRANSPORT_ERROR);
            exchange.respond(400, headers, new byte[0]);
        } else if (payload != null) {
            respondPayload(exchange, payload, headers);
            if (finishAfter) {
                finish();
            }
        }
    }

    private void releaseWithNoop(HttpExchange exchange) {
        HeldGet held;
        synchronized (this) {
            if (pendingGet == null || pendingGet.exchange() != exchange) {
                return;
            }
            held = pendingGet;
            pendingGet = null;
        }
        respondPayload(held, List.of(Packet.NOOP));
    }

    private void onGetAborted(HttpExchange exchange) {
        synchronized (this) {
            if (pendingGet == null || pendingGet.exchange() != exchange) {
                return;
            }
            pendingGet = null;
        }
        LOG.debug("session {}: held GET aborted by the client", id);
        terminate(DisconnectReason.TRANSPORT_CLOSE);
    }

    void handlePost(HttpExchange exchange, Map<String, String> headers) {
        boolean duplicate;
        if (isClosed()) {
            server.respondError(exchange, headers, EngineServer.Error.UNKNOWN_SID);
            return;
        }
        synchronized (this) {
            duplicate = postInFlight;
            postInFlight = true;
        }
        if (duplicate) {
            LOG.debug("session {}: overlapping POST requests; closing", id);
            terminate(DisconnectReason.TRANSPORT_ERROR);
            exchange.respond(400, headers, new byte[0]);
            return;
        }
        Executor e = exchange.executor();
        if (e != containerExecutor) {
            containerExecutor = e;
        }
        String contentType = exchange.header("content-type");
        if (contentType != null && contentType.startsWith("application/octet-stream")) {
            terminate(DisconnectReason.TRANSPORT_ERROR);
            finishPost(exchange, headers, 400);
            return;
        }
        // A body that trickles in holds no thread; one that has not arrived when the client
        // would have missed its heartbeat ends the session.
        long timeout = (pingIntervalNanos + pingTimeoutNanos) / 1_000_000;
        exchange.readBody(server.options().maxHttpBufferSize(), timeout, new HttpExchange.BodyHandler() {
            @Override
            public void onBody(byte[] body) {
                int status;
                try {
                    status = dispatch(body);
                } catch (RuntimeException e) {
                    finishPost(exchange, headers, 500);
                    throw e;
                }
                finishPost(exchange, headers, status);
            }

            @Override
            public void onFailure(java.io.IOException failure) {
                if (failure instanceof BodyTooLargeException) {
                    LOG.debug("session {}: POST body over maxHttpBufferSize", id);
                    finishPost(exchange, headers, 413);
                    return;
                }
                LOG.debug("session {}: POST body could not be read: {}", id, failure.toString());
                terminate(DisconnectReason.TRANSPORT_ERROR);
                finishPost(exchange, headers, 400);
            }
        });
    }

    private void finishPost(HttpExchange exchange, Map<String, String> headers, int status) {
        // Cleared before the response goes out: a client may send its next POST the moment it
        // reads this one's answer.
        synchronized (this) {
            postInFlight = false;
        }
        if (status == 200) {
            exchange.respond(200, EngineServer.withCors(headers, OK_HEADERS, OK_HEADERS_ANY_ORIGIN), OK);
        } else {
            exchange.respond(status, headers, new byte[0]);
        }
    }

    /** Dispatches the packets of a POST body; returns the status to answer with. */
    private int dispatch(byte[] body) {
        List<Packet> packets;
        try {
            packets = PacketCodec.decodePayload(new String(body, StandardCharsets.UTF_8));
        } catch (EngineException e) {
            LOG.debug("session {}: {}", id, e.getMessage());
            terminate(DisconnectReason.PARSE_ERROR);
            return 200;
        }
        for (Packet p : packets) {
            if (isClosed()) {
                break;
            }
            onPacket(p);
        }
        return 200;
    }

    private static final byte[] OK = "ok".getBytes(StandardCharsets.US_ASCII);
    private static final Map<String, String> OK_HEADERS = Map.of("Content-Type", "text/html");
    private static final Map<String, String> OK_HEADERS_ANY_ORIGIN = Map.of("Content-Type", "text/html",
            "Access-Control-Allow-Origin", "*");

    private List<Packet> drainLocked() {
        List<Packet> out = new ArrayList<>(buffer);
        clearBufferLocked();
        return out;
    }

    private void clearBufferLocked() {
        buffer.clear();
        bufferedBytes = 0;
    }

    /**
     * The container's executor for the work this client's packets cause (see
     * {@link WebSocketConnection#executor()}), from the transport that delivers them now;
     * {@code null} when the container offers none.
     */
    public Executor containerExecutor() {
        return containerExecutor;
    }

    /** Whether a long-polling request of this client is held, waiting for data (for tests and metrics). */
    public synchronized boolean pollWaiting() {
        return pendingGet != null;
    }

    /** Bytes waiting for this client: its polling buffer or its WebSocket queue (for tests and metrics). */
    public long bufferedBytes() {
        WsWriter w;
        synchronized (this) {
            w = writer;
            if (w == null) {
                return bufferedBytes;
            }
        }
        return w.queuedBytes();
    }

    private void respondPayload(HeldGet held, List<Packet> packets) {
        respondPayload(held.exchange(), packets, held.headers());
    }

    /** A GET held for data, and the CORS headers worked out when it arrived. */
    private record HeldGet(HttpExchange exchange, Map<String, String> headers) {
    }

    private void respondPayload(HttpExchange exchange, List<Packet> packets, Map<String, String> headers) {
        boolean compress = true;
        for (Packet p : packets) {
            compress &= p.compress();
        }
        server.respondPayload(exchange, headers, PacketCodec.encodePayload(packets), compress);
    }

    // ---------------------------------------------------------------- websocket

    /** A session opened directly over WebSocket: the open packet is its first frame. */
    WebSocketListener attachInitial(WebSocketConnection connection, Packet openPacket) {
        WsWriter w = new WsWriter(connection, server.options().maxBufferedPackets(),
                server.options().maxBufferedBytes(), this::onWriteFailure, server.fanOutWriters());
        synchronized (this) {
            writer = w;
        }
        containerExecutor = connection.executor();
        w.send(List.of(openPacket));
        return new Listener(w);
    }

    /** A WebSocket that wants to take over a polling session (the upgrade). */
    WebSocketListener attachProbe(WebSocketConnection connection) {
        WsWriter w = new WsWriter(connection, server.options().maxBufferedPackets(),
                server.options().maxBufferedBytes(), failure -> abortProbe(null), server.fanOutWriters());
        synchronized (this) {
            if (state != State.OPEN || transport == Transport.WEBSOCKET || probe != null) {
                w = null;
            } else {
                probe = w;
                long timeout = server.options().upgradeTimeout().toNanos();
                WsWriter current = w;
                upgradeTimer = server.scheduler().schedule(() -> abortProbe(current), timeout, TimeUnit.NANOSECONDS);
            }
        }
        if (w == null) {
            LOG.debug("session {}: refusing a second WebSocket", id);
            connection.close(WS_NORMAL, "");
            return NOOP_LISTENER;
        }
        return new Listener(w);
    }

    private void abortProbe(WsWriter which) {
        WsWriter p;
        synchronized (this) {
            p = probe;
            if (p == null || (which != null && p != which)) {
                return;
            }
            probe = null;
            probed = false;
            if (upgradeTimer != null) {
                upgradeTimer.cancel(false);
                upgradeTimer = null;
            }
        }
        LOG.debug("session {}: upgrade aborted", id);
        p.closeNow(WS_NORMAL);
    }

    private void onWriteFailure(Throwable failure) {
        if (failure instanceof BufferFullException) {
            LOG.warn("session {}: client does not read; closing it: {}", id, failure.getMessage());
        } else {
            LOG.debug("session {}: WebSocket write failed: {}", id, failure.toString());
        }
        terminate(DisconnectReason.TRANSPORT_ERROR);
    }

    private void onProbeText(WsWriter w, String text) {
        if ("2probe".equals(text)) {
            HeldGet held;
            synchronized (this) {
                if (probe != w) {
                    return;
                }
                probed = true;
                held = pendingGet;
                pendingGet = null;
            }
            w.send(List.of(Packet.PONG_PROBE));
            if (held != null) {
                respondPayload(held, List.of(Packet.NOOP));
            }
        } else if ("5".equals(text)) {
            HeldGet held;
            List<Packet> backlog;
            synchronized (this) {
                if (probe != w || !probed || state != State.OPEN) {
                    backlog = null;
                    held = null;
                } else {
                    probe = null;
                    probed = false;
                    writer = w;
                    transport = Transport.WEBSOCKET;
                    containerExecutor = w.connection().executor();
                    if (upgradeTimer != null) {
                        upgradeTimer.cancel(false);
                        upgradeTimer = null;
                    }
                    held = pendingGet;
                    pendingGet = null;
                    backlog = drainLocked();
                }
            }
            if (backlog == null) {
                abortProbe(w);
                return;
            }
            LOG.debug("session {}: upgraded to websocket", id);
            if (held != null) {
                server.respondError(held.exchange(), held.headers(), EngineServer.Error.BAD_REQUEST);
            }
            if (!backlog.isEmpty()) {
                w.send(backlog);
            }
        } else {
            abortProbe(w);
        }
    }

    private final class Listener implements WebSocketListener {
        private final WsWriter ws;

        Listener(WsWriter ws) {
            this.ws = ws;
        }

        private boolean active() {
            synchronized (EngineSocket.this) {
                return writer == ws && state == State.OPEN;
            }
        }

        @Override
        public void onText(String text) {
            if (!active()) {
                onProbeText(ws, text);
                return;
            }
            if (tooBig(text)) {
                return;
            }
            Packet packet;
            try {
                packet = PacketCodec.decode(text);
            } catch (EngineException e) {
                LOG.debug("session {}: {}", id, e.getMessage());
                terminate(DisconnectReason.PARSE_ERROR);
                return;
            }
            onPacket(packet);
        }

        private boolean tooBig(String text) {
            int max = server.options().maxHttpBufferSize();
            if (text.length() > max / 3 && text.getBytes(StandardCharsets.UTF_8).length > max) {
                LOG.debug("session {}: WebSocket message over maxHttpBufferSize", id);
                ws.closeNow(WS_TOO_BIG);
                terminate(DisconnectReason.TRANSPORT_ERROR);
                return true;
            }
            return false;
        }

        @Override
        public void onBinary(byte[] data) {
            if (!active()) {
                abortProbe(ws);
                return;
            }
            if (data.length > server.options().maxHttpBufferSize()) {
                ws.closeNow(WS_TOO_BIG);
                terminate(DisconnectReason.TRANSPORT_ERROR);
                return;
            }
            onPacket(Packet.binary(data));
        }

        @Override
        public void onClose(int code, String reason) {
            if (active()) {
                terminate(DisconnectReason.TRANSPORT_CLOSE);
            } else {
                abortProbe(ws);
            }
        }

        @Override
        public void onError(Throwable error) {
            LOG.debug("session {}: WebSocket error: {}", id, error.toString());
            if (active()) {
                terminate(DisconnectReason.TRANSPORT_ERROR);
            } else {
                abortProbe(ws);
            }
        }
    }

    private static final WebSocketListener NOOP_LISTENER = new WebSocketListener() {
        @Override
        public void onText(String text) {
        }

        @Override
        public void onBinary(byte[] data) {
        }

        @Override
        public void onClose(int code, String reason) {
        }

        @Override
        public void onError(Throwable error) {
        }
    };

    @Override
    public String toString() {
        return "EngineSocket[" + id + "]";
    }
}
