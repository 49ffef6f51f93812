package org.jsio.socketio;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What came back from a broadcast with acknowledgements ({@link BroadcastOperator#emitWithAck}):
 * the arguments each client acknowledged with, by socket id, and the clients that did not answer
 * in time.
 */
public final class BroadcastAcks {
    private final Map<String, List<Object>> responses;
    private final Set<String> missing;

    BroadcastAcks(Map<String, List<Object>> responses, Set<String> missing) {
        this.responses = Map.copyOf(responses);
        this.missing = Set.copyOf(missing);
    }

    /** The acknowledgement arguments by socket id. */
    public Map<String, List<Object>> responses() {
        return responses;
    }

    /** Socket ids of the clients that did not acknowledge in time (or disconnected first). */
    public Set<String> missing() {
        return missing;
    }

    /** Whether every client answered. */
    public boolean complete() {
        return missing.isEmpty();
    }

    @Override
    public String toString() {
        return "BroadcastAcks[responses=" + responses + ", missing=" + missing + "]";
    }
}
