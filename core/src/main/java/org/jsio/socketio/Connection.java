package org.jsio.socketio;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jsio.engine.DisconnectReason;
import org.jsio.engine.EngineServer;
import org.jsio.engine.EngineSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Socket.IO side of one Engine.IO session: the namespaces it joined, binary reassembly, and
 * the client's ordered lane where all its application code runs.
 *
 * <p>Packets are decoded and validated on the thread that received them (in order); everything
 * that calls application code is put on the lane.
 */
final class Connection {
    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);
    private static final Logger PACKETS = LoggerFactory.getLogger("org.jsio.socketio.packets");

    private final SocketIoServer server;
    private final EngineSocket engine;
    private final Lane lane;
    private final Map<String, Socket> sockets = new ConcurrentHashMap<>(2);
    private ScheduledFuture<?> connectTimer;
    // Binary reassembly; touched only by the receiving thread (one at a time per session).
    private SocketIoPacket partial;
    private List<byte[]> parts;
    private volatile boolean closed;

    Connection(SocketIoServer server, EngineSocket engine) {
        this.server = server;
        this.engine = engine;
        this.lane = server.laneFor();
    }

    EngineSocket engine() {
        return engine;
    }

    int socketCount() {
        return sockets.size();
    }

    void startConnectTimer() {
        long timeout = server.connectTimeout().toNanos();
        connectTimer = server.scheduler().schedule(() -> {
            if (sockets.isEmpty() && !closed) {
                LOG.debug("session {}: no namespace joined in time; closing", engine.id());
                engine.close(DisconnectReason.SERVER_DISCONNECT);
            }
        }, timeout, TimeUnit.NANOSECONDS);
    }

    // ---------------------------------------------------------------- incoming (receiving thread)

    synchronized void onText(String text) {
        if (closed) {
            return;
        }
        if (partial != null) {
            protocolError("text packet while binary attachments were expected");
            return;
        }
        SocketIoPacket packet;
        try {
            packet = server.codec().decode(text);
        } catch (ProtocolException e) {
            protocolError(e.getMessage());
            return;
        }
        if (packet.attachments() > 0) {
            partial = packet;
            parts = new ArrayList<>(packet.attachments());
            return;
        }
        onPacket(packet);
    }

    synchronized void onBinary(byte[] data) {
        if (closed) {
            return;
        }
        if (partial == null) {
            protocolError("unexpected binary attachment");
            return;
        }
        parts.add(data);
        if (parts.size() < partial.attachments()) {
            return;
        }
        SocketIoPacket packet;
        try {
            packet = server.codec().reconstruct(partial, parts);
        } catch (ProtocolException e) {
            protocolError(e.getMessage());
            return;
        } finally {
            partial = null;
            parts = null;
        }
        onPacket(packet);
    }

    private void protocolError(String message) {
        LOG.debug("session {}: {}; closing", engine.id(), message);
        engine.close(DisconnectReason.PARSE_ERROR);
    }

    private void onPacket(SocketIoPacket packet) {
        if (server.packetLog() ? PACKETS.isInfoEnabled() : PACKETS.isDebugEnabled()) {
            String text = engine.id() + " received " + EngineServer.sanitize(packet.toString());
            if (server.packetLog()) {
                PACKETS.info(text);
            } else {
                PACKETS.debug(text);
            }
        }
        String nsp = packet.namespace();
        switch (packet.type()) {
            case CONNECT:
                onConnect(packet);
                return;
            case DISCONNECT: {
                Socket socket = sockets.remove(nsp);
                if (socket == null) {
                    protocolError("DISCONNECT for a namespace not joined");
                    return;
                }
                leave(socket, DisconnectReason.CLIENT_DISCONNECT);
                return;
            }
            case EVENT:
            case BINARY_EVENT: {
                Socket socket = sockets.get(nsp);
                if (socket == null) {
                    protocolError("EVENT for a namespace not joined");
                    return;
                }
                submit(() -> dispatchEvent(socket, packet));
                return;
            }
            case ACK:
            case BINARY_ACK: {
                Socket socket = sockets.get(nsp);
                if (socket == null) {
                    protocolError("ACK for a namespace not joined");
                    return;
                }
                if (packet.id() >= 0) {
                    socket.onAck(packet.id(), packet.list());
                }
                return;
            }
            default:
                protocolError("unexpected " + packet.type() + " from client");
        }
    }

    private void onConnect(SocketIoPacket packet) {
        String name = packet.namespace();
        if (sockets.containsKey(name)) {
            protocolError("second CONNECT to " + name);
            return;
        }
        Namespace namespace = server.namespaceFor(name);
        if (namespace == null) {
            sendConnectError(name, "Invalid namespace", null);
            return;
        }
        if (connectTimer != null) {
            connectTimer.cancel(false);
            connectTimer = null;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> auth = packet.data() == null
                ? Map.of() : (Map<String, Object>) packet.data();
        Socket socket = new Socket(namespace, this, server.newSocketId(), auth);
        sockets.put(name, socket);
        submit(() -> connect(socket));
    }

    private void submit(Runnable task) {
        try {
            lane.execute(task, engine.containerExecutor());
        } catch (RejectedExecutionException e) {
            LOG.warn("session {}: client sends faster than its handlers run; closing it", engine.id());
            engine.close(DisconnectReason.TRANSPORT_ERROR);
        }
    }

    // ---------------------------------------------------------------- on the lane

    private void connect(Socket socket) {
        Namespace namespace = socket.nsp();
        if (socket.state() == Socket.State.DISCONNECTED) {
            return;
        }
        namespace.add(socket);
        List<org.jsio.engine.Packet> confirmation = server.encode(PacketType.CONNECT, namespace.name(),
                SocketIoPacket.NO_ID, Map.of("sid", socket.id()));
        if (server.alwaysConnect() && !socket.confirm(confirmation)) {
            namespace.remove(socket);
            return;
        }
        ConnectHandler handler = namespace.connectHandler();
        String refusal = null;
        Object refusalData = null;
        Socket previous = Socket.enter(socket);
        try {
            for (ConnectMiddleware check : server.middleware()) {
                check.check(socket, socket.auth());
            }
            for (ConnectMiddleware check : namespace.middleware()) {
                check.check(socket, socket.auth());
            }
            if (handler != null) {
                handler.onConnect(socket, socket.auth());
            }
        } catch (ConnectionRefusedException e) {
            refusal = e.getMessage();
            refusalData = e.data();
        } catch (Exception e) {
            LOG.error("connect handler of {} failed", namespace.name(), e);
            refusal = "Internal server error";
        } finally {
            Socket.leave(previous);
        }
        if (refusal != null) {
            sockets.remove(namespace.name(), socket);
            boolean wasConnected = socket.markDisconnected();
            namespace.remove(socket);
            socket.cancelAcks();
            if (wasConnected) {
                engine.send(server.encode(PacketType.DISCONNECT, namespace.name(), SocketIoPacket.NO_ID, null));
            } else {
                sendConnectError(namespace.name(), refusal, refusalData);
            }
            return;
        }
        if (!server.alwaysConnect() && !socket.confirm(confirmation)) {
            // disconnected while the handler ran: leave() cleans up after us on this lane
            return;
        }
    }

    private void sendConnectError(String namespace, String message, Object data) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("message", message);
        if (data != null) {
            payload.put("data", data);
        }
        engine.send(server.encode(PacketType.CONNECT_ERROR, namespace, SocketIoPacket.NO_ID, payload));
    }

    private void dispatchEvent(Socket socket, SocketIoPacket packet) {
        if (!socket.isConnected()) {
            return;
        }
        List<Object> data = packet.list();
        Object name = data.get(0);
        String event = name instanceof Number ? numberName((Number) name) : (String) name;
        Object[] args = data.subList(1, data.size()).toArray();
        Namespace namespace = socket.nsp();
        Object result;
        Socket previous = Socket.enter(socket);
        try {
            for (PacketMiddleware check : namespace.packetMiddleware()) {
                check.check(socket, event, args);
            }
            EventHandler handler = namespace.resolve(event);
            if (handler == null) {
                LOG.debug("no handler for event '{}' on {}", EngineServer.sanitize(event), socket.namespace());
                return;
            }
            result = handler.handle(socket, args);
        } catch (Exception e) {
            handlerFailed(socket, event, args, e);
            return;
        } finally {
            Socket.leave(previous);
        }
        if (packet.id() < 0) {
            return;
        }
        if (result instanceof CompletionStage) {
            ((CompletionStage<?>) result).whenComplete((value, failure) -> {
                if (failure != null) {
                    LOG.error("asynchronous result of event '{}' on {} failed", event, socket.namespace(), failure);
                } else {
                    sendAck(socket, packet.id(), value);
                }
            });
        } else {
            sendAck(socket, packet.id(), result);
        }
    }

    private static String numberName(Number n) {
        double d = n.doubleValue();
        return d == Math.rint(d) && !Double.isInfinite(d) ? String.valueOf(n.longValue()) : n.toString();
    }

    private void handlerFailed(Socket socket, String event, Object[] args, Exception error) {
        ErrorHandler h = socket.nsp().errorHandler();
        if (h == null) {
            h = server.defaultErrorHandler();
        }
        if (h == null) {
            LOG.error("handler of event '{}' on {} failed", EngineServer.sanitize(event), socket.namespace(), error);
            return;
        }
        try {
            h.onError(socket, event, args, error);
        } catch (RuntimeException e) {
            LOG.error("error handler of {} failed", socket.namespace(), e);
        }
    }

    private void sendAck(Socket socket, long id, Object result) {
        List<Object> values;
        if (result == null) {
            values = List.of();
        } else if (result instanceof Ack) {
            values = ((Ack) result).values();
        } else {
            values = java.util.Collections.singletonList(result);
        }
        socket.sendPackets(server.encode(PacketType.ACK, socket.namespace(), id, values));
    }

    // ---------------------------------------------------------------- leaving

    /** Runs the disconnect handler on the lane, then removes the socket from its namespace. */
    private void leave(Socket socket, DisconnectReason reason) {
        boolean wasConnected = socket.markDisconnected();
        socket.cancelAcks();
        submit(() -> finishLeave(socket, reason, wasConnected));
    }

    private void finishLeave(Socket socket, DisconnectReason reason, boolean wasConnected) {
        Namespace namespace = socket.nsp();
        Socket previous = Socket.enter(socket);
        try {
            DisconnectHandler handler = namespace.disconnectHandler();
            if (wasConnected && handler != null) {
                handler.onDisconnect(socket, reason);
            }
        } catch (Exception e) {
            LOG.error("disconnect handler of {} failed", namespace.name(), e);
        } finally {
            Socket.leave(previous);
            namespace.remove(socket);
        }
    }

    /** Server-side disconnect of one namespace (and optionally the whole connection). */
    void disconnectSocket(Socket socket, boolean closeConnection) {
        if (sockets.remove(socket.namespace(), socket)) {
            if (socket.isConnected()) {
                engine.send(server.encode(PacketType.DISCONNECT, socket.namespace(), SocketIoPacket.NO_ID, null));
            }
            leave(socket, DisconnectReason.SERVER_DISCONNECT);
        }
        if (closeConnection) {
            engine.close(DisconnectReason.SERVER_DISCONNECT);
        }
    }

    /** The Engine.IO session ended: every namespace socket leaves. */
    void onClose(DisconnectReason reason) {
        closed = true;
        if (connectTimer != null) {
            connectTimer.cancel(false);
        }
        for (Socket socket : List.copyOf(sockets.values())) {
            if (sockets.remove(socket.namespace(), socket)) {
                leaveOnClose(socket, reason);
            }
        }
    }

    private void leaveOnClose(Socket socket, DisconnectReason reason) {
        boolean wasConnected = socket.markDisconnected();
        socket.cancelAcks();
        try {
            lane.execute(() -> finishLeave(socket, reason, wasConnected));
        } catch (RejectedExecutionException e) {
            // the lane is full: clean up here without the handler rather than leak the socket
            socket.nsp().remove(socket);
        }
    }
}
