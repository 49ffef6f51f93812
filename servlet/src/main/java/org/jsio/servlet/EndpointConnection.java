package org.jsio.servlet;

import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;
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
     * How long {@link #stopClosers()} waits for the closes under way: one close frame's timeout,
     * and as long again for closes still queued behind them.
     */
    static final long STOP_WAIT_MILLIS = 2 * EngineEndpoint.CLOSE_TIMEOUT_MILLIS;

    /** Where close frames are written; made on the first close, and again after {@link #stopClosers()}. */
    private static Closers closers;

    private static synchronized Closers closers() {
        Closers c = closers;
        if (c == null) {
            c = new Closers();
            closers = c;
        }
        return c;
    }

    /**
     * Ends the threads that write close frames, once the closes under way are done (waiting at
     * most {@link #STOP_WAIT_MILLIS}; a close still running then is interrupted, and the
     * container drops its connection). Called when a {@link SocketIoServlet} or
     * {@link SocketIoFilter} is destroyed, after its server is closed, so that a web application
     * that stops leaves none of these threads behind. A later close starts new ones.
     *
     * @return whether every close finished in time
     */
    static boolean stopClosers() {
        Closers c;
        synchronized (EndpointConnection.class) {
            c = closers;
            closers = null;
        }
        return c == null || c.stop(STOP_WAIT_MILLIS);
    }

    /**
     * At most {@value #CLOSER_THREADS} threads writing close frames, made on demand and ended
     * after a second idle, so none is left once the connections are closed. When many
     * connections close at once (a server stopping, clients timing out together), the others
     * wait their turn; the queue holds at most one close per connection.
     */
    private static final class Closers {
        /** The threads made, until they are collected: {@link #stop} waits until they have ended. */
        private final Set<Thread> threads = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));
        private final ThreadPoolExecutor pool;

        Closers() {
            ClassLoader loader = EndpointConnection.class.getClassLoader();
            pool = new ThreadPoolExecutor(CLOSER_THREADS, CLOSER_THREADS, 1, TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(), r -> {
                        Thread t = new Thread(r, "socketio-ws-close");
                        t.setDaemon(true);
                        t.setContextClassLoader(loader);
                        threads.add(t);
                        return t;
                    });
            pool.allowCoreThreadTimeOut(true);
        }

        void execute(Runnable close) {
            pool.execute(close);
        }

        /**
         * Lets the closes under way and queued finish, then waits until every thread has ended
         * (a pool counts as terminated a moment before its last thread is gone).
         */
        boolean stop(long waitMillis) {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
            pool.shutdown();
            try {
                if (!pool.awaitTermination(waitMillis, TimeUnit.MILLISECONDS)) {
                    pool.shutdownNow();
                    return false;
                }
                Thread[] made;
                synchronized (threads) {
                    made = threads.toArray(new Thread[0]);
                }
                for (Thread t : made) {
                    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    t.join(Math.max(1, left));
                    if (t.isAlive()) {
                        return false;
                    }
                }
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                pool.shutdownNow();
                return false;
            }
        }
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
            closers().execute(() -> closeNow(code, why));
        } catch (RejectedExecutionException e) {
            closeNow(code, why); // the pool was stopped meanwhile
        }
    }

    /**
     * Closes the session on the current thread, dropping a peer that does not answer the close
     * frame within {@link EngineEndpoint#CLOSE_TIMEOUT_MILLIS}.
     */
    abstract void closeNow(int code, String reason);
}
