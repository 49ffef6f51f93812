package org.jsio.socketio;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Several values returned from an event handler, sent to the client as the arguments of one
 * acknowledgement: {@code return Ack.of("ok", 42);} (python: {@code return 'ok', 42}).
 */
public final class Ack {
    private final List<Object> values;

    private Ack(List<Object> values) {
        this.values = values;
    }

    /** The acknowledgement arguments, in order. */
    public static Ack of(Object... values) {
        return new Ack(Collections.unmodifiableList(Arrays.asList(values.clone())));
    }

    /** The values. */
    public List<Object> values() {
        return values;
    }

    @Override
    public String toString() {
        return "Ack" + values;
    }
}
