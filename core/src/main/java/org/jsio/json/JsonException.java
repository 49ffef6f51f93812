package org.jsio.json;

/** JSON text that could not be parsed, or a value that could not be bound. */
public final class JsonException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception. */
    public JsonException(String message, Throwable cause) {
        super(message, cause);
    }
}
