package org.jsio.servlet;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jsio.engine.spi.WebSocketConnection;

/**
 * The closing rules both WebSocket endpoints ({@link EngineEndpoint} on the Jakarta API,
 * {@link JettyCoreEndpoint} on Jetty's core) give the engine's connection: a connection is closed
 * once, never on the caller's thread, and a close the engine asks for lets go of the engine's
 * session at once.
 */
abstract class EndpointConnection implements WebSocketConnection {
    /** Most threads writing close frames at once. */
    static final int CLOSER_THREADS = 32;

    /**
     * Where close frames are written: at most {@value #CLOSER_THREADS} threads, made on demand and
     * ended after a second idle, so none is left once the connections are closed. When many
     * connections close at once (a server stopping, clients timing out together), the others
     * wait their turn; the queue holds at most one close per connection.
     */
    private static final ThreadPoolExecutor CLOSERS = closers();

    private static ThreadPoolExecutor closers() {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(CLOSER_THREADS, CLOSER_THREADS, 1, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "socketio-ws-close");
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    final EngineEndpoint.Relay relay;
    /** Set once the session is closing, by us or by the container: no second close is started. */
    final AtomicBoolean closing = new AtomicBoolean();

    EndpointConnection(EngineEndpoint.Relay relay) {
        this.relay = relay;
    }

    /** The engine closes the connection: it wants no more callbacks for it. */
    @Override
    public final void close(int code, String reason) {
        relay.target = null;
        closeSession(code, reason);
    }

    /**
     * Closes the connection unless it is closing already; the engine still hears of it through
     * the container's close callback. Containers may write the close frame with a blocking write
     * (Tomcat waits up to its send timeout, and first for a frame still on its way), which to a
     * peer that stopped reading can take seconds, so it is never done on the caller's thread: that
     * may be the scheduler, a broadcaster or another client's lane.
     */
    final void closeSession(int code, String reason) {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        String why = reason == null ? "" : reason;
        try {
            CLOSERS.execute(() -> closeNow(code, why));
        } catch (RejectedExecutionException e) {
            closeNow(code, why);
        }
    }

    /**
     * Closes the session on the current thread, dropping a peer that does not answer the close
     * frame within {@link EngineEndpoint#CLOSE_TIMEOUT_MILLIS}.
     */
    abstract void closeNow(int code, String reason);
}
