package org.jsio.engine;

/** A protocol violation by a client: the packet or payload could not be decoded. */
public final class EngineException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message for logs (never sent to the client). */
    public EngineException(String message) {
        super(message, null, false, false);
    }
}
