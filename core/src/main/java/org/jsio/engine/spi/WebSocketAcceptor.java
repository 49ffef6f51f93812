package org.jsio.engine.spi;

import java.util.concurrent.Future;

/** Handed to {@link HttpExchange#upgrade}: receives the WebSocket once it is open. */
public interface WebSocketAcceptor {

    /** The largest text or binary message the adapter must accept, in bytes. */
    int maxMessageSize();

    /**
     * How long the adapter may let the connection sit with no frame read or written before the
     * container closes it, in milliseconds (0: never). The engine's heartbeat keeps a live client
     * well inside it; it only reclaims connections the engine already gave up on, such as a
     * client that stopped reading before its close frame could be written.
     */
    default long idleTimeoutMillis() {
        return 0;
    }

    /**
     * Runs {@code task} once, {@code delayMillis} from now, on the engine's scheduler: for an
     * adapter that keeps its own timeouts, such as a close frame that the client never takes. The
     * task must be short and must not block (the scheduler drives every client's heartbeat). If
     * the engine closes first, the task runs then, on the thread that closes it, so that what it
     * would end (a connection waiting for a close frame) ends at the latest with the engine.
     *
     * @return a handle to cancel the task
     * @throws java.util.concurrent.RejectedExecutionException if the engine is closed
     * @throws UnsupportedOperationException if this acceptor has no scheduler (the default)
     */
    default Future<?> schedule(Runnable task, long delayMillis) {
        throw new UnsupportedOperationException("no scheduler");
    }

    /** Called once the WebSocket is open; returns the listener for its messages. */
    WebSocketListener open(WebSocketConnection connection);
}
