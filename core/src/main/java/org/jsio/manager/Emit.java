package org.jsio.manager;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One emit as a manager sees it: an event with its arguments, the namespace, the rooms it goes to
 * (none: every client of the namespace; a socket id is a room too) and the rooms or socket ids
 * left out. Immutable.
 */
public final class Emit {
    private final String namespace;
    private final String event;
    private final List<Object> args;
    private final Set<String> rooms;
    private final Set<String> skip;
    private final boolean volatileOnly;
    private final boolean compress;

    /**
     * An emit.
     *
     * @param namespace the namespace name, such as {@code "/"}
     * @param event the event name
     * @param args the event arguments (JSON trees, application objects or {@code byte[]})
     * @param rooms the rooms to send to; empty means every client of the namespace
     * @param skip socket ids or rooms whose clients are left out
     * @param volatileOnly send only to clients that can take it now
     * @param compress whether the packets may be compressed
     */
    public Emit(String namespace, String event, List<?> args, Set<String> rooms, Set<String> skip,
            boolean volatileOnly, boolean compress) {
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.event = Objects.requireNonNull(event, "event");
        this.args = Collections.unmodifiableList(new ArrayList<>(args));
        this.rooms = Collections.unmodifiableSet(new LinkedHashSet<>(rooms));
        this.skip = Collections.unmodifiableSet(new LinkedHashSet<>(skip));
        this.volatileOnly = volatileOnly;
        this.compress = compress;
    }

    /** An emit of {@code event} to every client of {@code namespace}. */
    public static Emit of(String namespace, String event, Object... args) {
        return new Emit(namespace, event, Arrays.asList(args), Set.of(), Set.of(), false, true);
    }

    /** The namespace name. */
    public String namespace() {
        return namespace;
    }

    /** The event name. */
    public String event() {
        return event;
    }

    /** The event arguments (may hold nulls). */
    public List<Object> args() {
        return args;
    }

    /** The arguments as an array, for {@code emit(event, Object...)}. */
    public Object[] argsArray() {
        return args.toArray();
    }

    /** The rooms (or socket ids) to send to; empty means everyone in the namespace. */
    public Set<String> rooms() {
        return rooms;
    }

    /** The socket ids (or rooms) left out. */
    public Set<String> skip() {
        return skip;
    }

    /** Whether the event is sent only to clients that can take it now. */
    public boolean isVolatile() {
        return volatileOnly;
    }

    /** Whether the packets may be compressed. */
    public boolean compress() {
        return compress;
    }

    @Override
    public String toString() {
        return "Emit[" + namespace + " " + event + " to=" + rooms + " skip=" + skip + "]";
    }
}
