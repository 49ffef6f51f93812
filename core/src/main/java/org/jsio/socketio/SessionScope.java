package org.jsio.socketio;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A client's user session as a mutable map that is saved when closed; use it with
 * try-with-resources (python-socketio's {@code with sio.session(sid) as session:}).
 */
public final class SessionScope extends LinkedHashMap<String, Object> implements AutoCloseable {
    private static final long serialVersionUID = 1L;

    private final transient Consumer<Map<String, Object>> save;

    SessionScope(Map<String, Object> values, Consumer<Map<String, Object>> save) {
        super(values);
        this.save = save;
    }

    /** Saves the session. */
    @Override
    public void close() {
        save.accept(this);
    }
}
