package org.jsio.engine.spi;

import java.io.IOException;

/** Thrown by {@link HttpExchange#readBody} when a request body is larger than allowed. */
public final class BodyTooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception for a body over {@code limit} bytes. */
    public BodyTooLargeException(long limit) {
        super("request body larger than " + limit + " bytes");
    }
}
