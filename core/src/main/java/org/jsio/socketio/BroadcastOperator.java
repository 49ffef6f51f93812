package org.jsio.socketio;

import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jsio.engine.Packet;

/**
 * An immutable description of who receives an emit: rooms to send to (none means everyone in the
 * namespace) and socket ids or rooms to skip. Each call returns a new operator, so one can be
 * kept and reused: {@code server.to("room").skipSid(sid).emit("news", item)}.
 */
public final class BroadcastOperator {
    private final Namespace namespace;
    private final Set<String> rooms;
    private final Set<String> except;

    BroadcastOperator(Namespace namespace, Set<String> rooms, Set<String> except) {
        this.namespace = namespace;
        this.rooms = rooms;
        this.except = except;
    }

    /** Adds rooms (or socket ids) to send to. */
    public BroadcastOperator to(String... more) {
        return new BroadcastOperator(namespace, union(rooms, more), except);
    }

    /** Adds socket ids (or rooms) to leave out (python-socketio's {@code skip_sid}). */
    public BroadcastOperator skipSid(String... sids) {
        return new BroadcastOperator(namespace, rooms, union(except, sids));
    }

    private static Set<String> union(Set<String> a, String[] b) {
        Set<String> out = new LinkedHashSet<>(a);
        for (String s : b) {
            out.add(java.util.Objects.requireNonNull(s, "room"));
        }
        return Set.copyOf(out);
    }

    /** Sends an event to every selected client; the packet is encoded once for all. */
    public void emit(String event, Object... args) {
        List<Packet> packets = namespace.encodeEvent(event, args, SocketIoPacket.NO_ID);
        for (Socket s : targets()) {
            s.sendPackets(packets);
        }
    }

    /** Sends a {@code message} event to every selected client. */
    public void send(Object data) {
        emit("message", data);
    }

    /** The selected clients now (a snapshot), connected ones only. */
    public Collection<Socket> sockets() {
        List<Socket> out = new java.util.ArrayList<>();
        for (Socket s : targets()) {
            if (s.isConnected()) {
                out.add(s);
            }
        }
        return out;
    }

    private Collection<Socket> targets() {
        Collection<Socket> candidates;
        if (rooms.isEmpty()) {
            candidates = namespace.allSockets();
        } else if (rooms.size() == 1) {
            candidates = namespace.members(rooms.iterator().next());
        } else {
            Set<Socket> union = new LinkedHashSet<>();
            for (String r : rooms) {
                union.addAll(namespace.members(r));
            }
            candidates = union;
        }
        if (except.isEmpty()) {
            return candidates;
        }
        Set<Socket> skipped = new HashSet<>();
        for (String r : except) {
            skipped.addAll(namespace.members(r));
        }
        List<Socket> out = new java.util.ArrayList<>(candidates.size());
        for (Socket s : candidates) {
            if (!skipped.contains(s)) {
                out.add(s);
            }
        }
        return out;
    }
}
