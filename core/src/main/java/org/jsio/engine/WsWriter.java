package org.jsio.engine;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.jsio.engine.spi.WebSocketConnection;

/**
 * The single writer of one WebSocket: packets are sent in order, one at a time, each send
 * starting when the previous one completed; a packet with more queued behind it is sent with the
 * connection's {@code more} hint, so that a run of queued packets can go out in one write.
 * Bounded; overflowing or failing calls {@code onFailure}. A send through a {@link FanOut} that
 * finds the writer idle leaves the writing to the fan-out, which calls {@link #pump}.
 */
final class WsWriter {
    private final WebSocketConnection connection;
    private final boolean utf8;
    private final int maxQueued;
    private final long maxQueuedBytes;
    private final Consumer<Throwable> onFailure;
    private final Executor fanOutWriters;
    private final ArrayDeque<Packet> queue = new ArrayDeque<>();
    private long queuedBytes;
    private boolean writing;
    private boolean closing;
    private int closeCode;
    private boolean failed;

    /** A writer whose writes in a {@link FanOut} run on {@code fanOutWriters}. */
    WsWriter(WebSocketConnection connection, int maxQueued, long maxQueuedBytes, Consumer<Throwable> onFailure,
            Executor fanOutWriters) {
        this.connection = connection;
        this.fanOutWriters = fanOutWriters;
        this.utf8 = connection.prefersUtf8();
        this.maxQueued = maxQueued;
        this.maxQueuedBytes = maxQueuedBytes;
        this.onFailure = onFailure;
    }

    WebSocketConnection connection() {
        return connection;
    }

    /**
     * Queues packets back to back; returns false (and reports a {@link BufferFullException}) when
     * they would take the queue over its packet or byte bound.
     */
    boolean send(java.util.List<Packet> packets) {
        return send(packets, null);
    }

    /** Like {@link #send(java.util.List)}; if the writer was idle, {@code fanOut} does the writing. */
    boolean send(java.util.List<Packet> packets, FanOut fanOut) {
        boolean start;
        boolean overflow = false;
        long size = sizeOf(packets);
        synchronized (this) {
            if (closing || failed) {
                return false;
            }
            if (queue.size() + packets.size() > maxQueued || queuedBytes + size > maxQueuedBytes) {
                failed = true;
                overflow = true;
                clearLocked();
                start = false;
            } else {
                if (packets.size() == 1) {
                    queue.add(packets.get(0));
                } else {
                    queue.addAll(packets);
                }
                queuedBytes += size;
                start = !writing;
                if (start) {
                    writing = true;
                }
            }
        }
        if (overflow) {
            onFailure.accept(new BufferFullException(maxQueued, maxQueuedBytes));
            return false;
        }
        if (start) {
            startWriting(fanOut);
        }
        return true;
    }

    private void startWriting(FanOut fanOut) {
        if (fanOut == null) {
            pump();
        } else {
            fanOut.join(this, fanOutWriters);
        }
    }

    /** Sends packets only if nothing is being written or waiting; returns whether they were. */
    boolean sendIfIdle(java.util.List<Packet> packets) {
        return sendIfIdle(packets, null);
    }

    /** Like {@link #sendIfIdle(java.util.List)}; {@code fanOut} does the writing. */
    boolean sendIfIdle(java.util.List<Packet> packets, FanOut fanOut) {
        synchronized (this) {
            if (closing || failed || writing || !queue.isEmpty()) {
                return false;
            }
            queue.addAll(packets);
            queuedBytes += sizeOf(packets);
            writing = true;
        }
        startWriting(fanOut);
        return true;
    }

    static long sizeOf(java.util.List<Packet> packets) {
        long size = 0;
        for (Packet p : packets) {
            size += p.size();
        }
        return size;
    }

    private void clearLocked() {
        queue.clear();
        queuedBytes = 0;
    }

    /** Bytes queued and not handed to the connection yet (for tests). */
    synchronized long queuedBytes() {
        return queuedBytes;
    }

    /** Sends what is queued, then closes the connection with {@code code}. */
    void closeAfterDrain(int code) {
        boolean closeNow;
        synchronized (this) {
            if (closing) {
                return;
            }
            closing = true;
            closeCode = code;
            closeNow = !writing || failed;
        }
        if (closeNow) {
            connection.close(code, "");
        }
    }

    /** Closes the connection now, dropping what is queued. */
    void closeNow(int code) {
        synchronized (this) {
            closing = true;
            closeCode = code;
            clearLocked();
        }
        connection.close(code, "");
    }

    /** Writes what is queued, one packet after the other, until the queue is empty. */
    void pump() {
        int code;
        while (true) {
            Packet packet;
            boolean more;
            synchronized (this) {
                code = closeCode;
                packet = queue.poll();
                more = !queue.isEmpty();
                if (packet != null) {
                    queuedBytes -= packet.size();
                }
                if (packet == null || failed) {
                    writing = false;
                    if (closing) {
                        break;
                    }
                    return;
                }
            }
            Step step = new Step();
            WebSocketConnection.SendCallback callback = failure -> {
                if (failure != null) {
                    synchronized (this) {
                        failed = true;
                        writing = false;
                        clearLocked();
                    }
                    onFailure.accept(failure);
                    return;
                }
                boolean continueHere;
                synchronized (step) {
                    step.done = true;
                    continueHere = step.returned;
                }
                if (continueHere) {
                    pump();
                }
            };
            try {
                if (packet.isBinary()) {
                    connection.sendBinary(packet.binary(), more, callback);
                } else if (utf8) {
                    connection.sendTextUtf8(packet.encodedUtf8(), more, callback);
                } else {
                    connection.sendText(packet.encodedText(), more, callback);
                }
            } catch (RuntimeException e) {
                callback.done(e);
                return;
            }
            synchronized (step) {
                step.returned = true;
                if (!step.done) {
                    return;
                }
            }
        }
        connection.close(code, "");
    }

    private static final class Step {
        boolean done;
        boolean returned;
    }
}
