package org.jsio.manager;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jsio.json.GsonJsonMapper;
import org.jsio.json.JsonMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A manager for many server processes that share a publish/subscribe broker (python-socketio's
 * {@code PubSubManager}). Every cluster behaviour is built here on two operations a subclass
 * provides, {@link #publish(byte[])} and {@link #listen(Listener)}: emits are delivered to this
 * process's clients and published for the others; room changes and disconnects of clients that
 * live elsewhere are published; acknowledgements from clients of other processes travel back as
 * {@code callback} messages. The messages are python-socketio's, so Python and Java servers and
 * emitters can share a channel.
 *
 * <p>Nothing here blocks its caller: messages go to a bounded outbound queue drained by the
 * manager's own publisher thread, which retries with backoff while the broker is unreachable;
 * when the queue is full new messages are dropped and counted ({@link #droppedMessages()}). The
 * listener thread reconnects and subscribes again with backoff. An outage is logged once when it
 * starts and once when it ends, not per message.
 */
public abstract class PubSubManager extends Manager {
    private static final Logger LOG = LoggerFactory.getLogger(PubSubManager.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    /** Receives what a subscription delivers; see {@link #listen}. */
    protected interface Listener {
        /** The subscription is in place (the broker will deliver from now on). */
        void subscribed();

        /** One message from the channel. */
        void message(byte[] data);
    }

    private final String channel;
    private final boolean writeOnly;
    private final String hostId = UUID.randomUUID().toString().replace("-", "");
    private final BlockingQueue<byte[]> outbound;
    private final Map<Long, RemoteAck> remoteAcks = new ConcurrentHashMap<>();
    private final AtomicLong ackIds = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong subscriptions = new AtomicLong();
    private final AtomicBoolean publishFailing = new AtomicBoolean();
    private final AtomicBoolean listenFailing = new AtomicBoolean();
    private final AtomicBoolean dropLogged = new AtomicBoolean();
    private final Object flushLock = new Object();
    private final Duration remoteAckTimeout;
    private final JsonMapper fallbackMapper = new GsonJsonMapper();
    /** Messages queued and not yet handed to the broker (the one being retried included). */
    private final java.util.concurrent.atomic.AtomicInteger unpublished = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean closed;
    private volatile Thread publisher;
    private Thread listener;

    /**
     * A pub/sub manager.
     *
     * @param channel the channel every process of the cluster uses (python's default: {@code socketio})
     * @param writeOnly only publish, never listen (python's {@code write_only=True}): for
     *        {@link Emitter}s in programs that serve no clients
     * @param queueCapacity the most messages waiting to be published
     * @param remoteAckTimeout how long a client of this process has to answer an acknowledgement
     *        another process asked for
     */
    protected PubSubManager(String channel, boolean writeOnly, int queueCapacity, Duration remoteAckTimeout) {
        this.channel = Objects.requireNonNull(channel, "channel");
        this.writeOnly = writeOnly;
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queueCapacity must be positive");
        }
        this.outbound = new ArrayBlockingQueue<>(queueCapacity);
        this.remoteAckTimeout = Objects.requireNonNull(remoteAckTimeout, "remoteAckTimeout");
    }

    // ---------------------------------------------------------------- what a broker provides

    /**
     * Publishes one message on {@link #channel()}; throws when the broker cannot take it (the
     * manager then retries the same message with backoff). Called on the publisher thread only.
     */
    protected abstract void publish(byte[] message) throws Exception;

    /**
     * Subscribes to {@link #channel()} and hands every message to {@code listener} until the
     * connection fails (throw) or {@link #stopListening()} is called (return). Called on the
     * listener thread, again after each failure.
     */
    protected abstract void listen(Listener listener) throws Exception;

    /** Makes a running {@link #listen} return; called by {@link #close()} from another thread. */
    protected abstract void stopListening();

    /** Closes the broker connections; called once by {@link #close()} after the threads stopped. */
    protected void closeBroker() {
    }

    // ---------------------------------------------------------------- lifecycle

    /** The channel name. */
    public String channel() {
        return channel;
    }

    /** This process's id in the messages ({@code host_id}). */
    public String hostId() {
        return hostId;
    }

    /** Whether this manager only publishes. */
    public boolean isWriteOnly() {
        return writeOnly;
    }

    @Override
    public void initialize(ManagedServer server) {
        if (writeOnly) {
            throw new IllegalStateException("a write-only manager serves no server; use it through an Emitter");
        }
        super.initialize(server);
        start();
    }

    /** Starts the publisher thread, and the listener thread unless write-only. */
    protected final synchronized void start() {
        if (publisher != null || closed) {
            return;
        }
        publisher = new Thread(this::publishLoop, "socketio-pubsub-" + channel + "-publisher");
        publisher.setDaemon(true);
        publisher.start();
        if (!writeOnly) {
            listener = new Thread(this::listenLoop, "socketio-pubsub-" + channel + "-listener");
            listener.setDaemon(true);
            listener.start();
        }
    }

    /**
     * Publishes what is queued (waiting at most 5 seconds, and not at all while the broker is
     * known to be unreachable), stops the threads, fails the acknowledgements still awaited from
     * other processes and closes the broker connections.
     */
    @Override
    public void close() {
        if (!publishFailing.get()) {
            flush(Duration.ofSeconds(5));
        }
        int unsent = unpublished.get();
        if (unsent > 0 && !closed) {
            LOG.warn("closing with {} messages not published on channel '{}'", unsent, channel);
        }
        Thread p;
        Thread l;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            p = publisher;
            l = listener;
        }
        stopListening();
        for (Thread t : new Thread[] {p, l}) {
            if (t != null) {
                t.interrupt();
            }
        }
        for (Thread t : new Thread[] {p, l}) {
            if (t != null) {
                try {
                    t.join(TimeUnit.SECONDS.toMillis(5));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        for (Long id : List.copyOf(remoteAcks.keySet())) {
            RemoteAck a = remoteAcks.remove(id);
            if (a != null) {
                a.cancel();
            }
        }
        closeBroker();
    }

    /** Waits until every queued message was handed to the broker, at most {@code timeout}; true if so. */
    public boolean flush(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (flushLock) {
            while (unpublished.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || closed) {
                    return unpublished.get() == 0;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(flushLock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    // ---------------------------------------------------------------- metrics

    /** Messages dropped because the outbound queue was full. */
    public long droppedMessages() {
        return dropped.get();
    }

    /** Messages handed to the broker. */
    public long publishedMessages() {
        return published.get();
    }

    /** Messages received from other processes (and acted on or ignored). */
    public long receivedMessages() {
        return received.get();
    }

    /** How many times the listener subscribed: 1 after the start, one more after each reconnection. */
    public long subscriptions() {
        return subscriptions.get();
    }

    /** Messages waiting to be published. */
    public int queuedMessages() {
        return outbound.size();
    }

    @Override
    public int pendingRemoteAcks() {
        return remoteAcks.size();
    }

    // ---------------------------------------------------------------- cluster behaviour

    @Override
    public void emit(Emit emit) {
        ManagedServer s = server();
        if (s != null) {
            s.emitLocal(emit);
        }
        Map<String, Object> m = emitMessage(emit);
        m.put("callback", null);
        m.put("host_id", hostId);
        send(m);
    }

    @Override
    public CompletableFuture<List<Object>> emitWithAck(String namespace, String sid, Duration timeout,
            String event, Object... args) {
        ManagedServer s = server();
        if (s == null) {
            throw new IllegalStateException("acknowledgements need a server: a write-only manager cannot wait for them");
        }
        Duration t = timeout == null ? remoteAckTimeout : timeout;
        CompletableFuture<List<Object>> local = s.emitWithAckLocal(namespace, sid, t, event, args);
        if (local != null) {
            return local;
        }
        long id = ackIds.incrementAndGet();
        RemoteAck pending = new RemoteAck(new CompletableFuture<>());
        remoteAcks.put(id, pending);
        pending.timer = s.scheduler().schedule(() -> {
            if (remoteAcks.remove(id, pending)) {
                pending.future.completeExceptionally(new TimeoutException(
                        "no acknowledgement of '" + event + "' from " + sid + " within " + t.toMillis() + " ms"));
            }
        }, t.toNanos(), TimeUnit.NANOSECONDS);
        Map<String, Object> m = emitMessage(new Emit(namespace, event, java.util.Arrays.asList(args),
                Set.of(sid), Set.of(), false, true));
        List<Object> callback = new ArrayList<>(3);
        callback.add(sid);
        callback.add(namespace);
        callback.add(id);
        m.put("callback", callback);
        m.put("host_id", hostId);
        if (!send(m) && remoteAcks.remove(id, pending)) {
            pending.cancelTimer();
            pending.future.completeExceptionally(new IllegalStateException(
                    "the outbound queue is full; the event was dropped"));
        }
        return pending.future;
    }

    @Override
    public void enterRoom(String namespace, String sid, String room) {
        if (!isConnected(namespace, sid) || !basicEnterRoom(namespace, sid, room)) {
            send(roomMessage("enter_room", namespace, sid, room));
        }
    }

    @Override
    public void leaveRoom(String namespace, String sid, String room) {
        if (!isConnected(namespace, sid) || !basicLeaveRoom(namespace, sid, room)) {
            send(roomMessage("leave_room", namespace, sid, room));
        }
    }

    @Override
    public void closeRoom(String namespace, String room) {
        basicCloseRoom(namespace, room);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", "close_room");
        m.put("room", room);
        m.put("namespace", namespace);
        m.put("host_id", hostId);
        send(m);
    }

    @Override
    public void disconnect(String namespace, String sid) {
        ManagedServer s = server();
        if (s == null || !isConnected(namespace, sid) || !s.disconnectLocal(namespace, sid)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("method", "disconnect");
            m.put("sid", sid);
            m.put("namespace", namespace);
            m.put("host_id", hostId);
            send(m);
        }
    }

    private Map<String, Object> roomMessage(String method, String namespace, String sid, String room) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", method);
        m.put("sid", sid);
        m.put("room", room);
        m.put("namespace", namespace);
        m.put("host_id", hostId);
        return m;
    }

    private Map<String, Object> emitMessage(Emit emit) {
        JsonMapper mapper = mapper();
        List<Object> args = new ArrayList<>(emit.args().size());
        for (Object a : emit.args()) {
            args.add(PubSubMessages.toTree(a, mapper, 0));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", "emit");
        m.put("event", emit.event());
        m.put("data", PubSubMessages.dataOf(args));
        m.put("namespace", emit.namespace());
        m.put("room", PubSubMessages.roomsValue(emit.rooms()));
        m.put("skip_sid", PubSubMessages.roomsValue(emit.skip()));
        return m;
    }

    private JsonMapper mapper() {
        ManagedServer s = server();
        return s == null ? fallbackMapper : s.jsonMapper();
    }

    /** Encodes and queues a message; false when the queue was full and it was dropped. */
    private boolean send(Map<String, Object> message) {
        if (closed) {
            LOG.debug("manager closed; {} message not published", message.get("method"));
            return false;
        }
        if (publisher == null) {
            start();
        }
        byte[] bytes = PubSubMessages.encode(message, mapper());
        unpublished.incrementAndGet();
        if (outbound.offer(bytes)) {
            return true;
        }
        unpublished.decrementAndGet();
        dropped.incrementAndGet();
        if (dropLogged.compareAndSet(false, true)) {
            LOG.warn("outbound queue of channel '{}' is full ({} messages): dropping messages until the broker "
                    + "takes them again", channel, outbound.size());
        }
        return false;
    }

    // ---------------------------------------------------------------- threads

    private void publishLoop() {
        Duration backoff = FIRST_BACKOFF;
        while (!closed) {
            byte[] next;
            try {
                next = outbound.take();
            } catch (InterruptedException e) {
                break;
            }
            try {
                while (!closed) {
                    try {
                        publish(next);
                        published.incrementAndGet();
                        backoff = FIRST_BACKOFF;
                        if (publishFailing.compareAndSet(true, false)) {
                            LOG.info("publishing on channel '{}' works again", channel);
                        }
                        dropLogged.set(false);
                        break;
                    } catch (Exception e) {
                        if (publishFailing.compareAndSet(false, true)) {
                            LOG.warn("cannot publish on channel '{}' ({}); retrying with backoff, local delivery "
                                    + "goes on", channel, e.toString());
                        }
                        if (!pause(backoff)) {
                            return;
                        }
                        backoff = next(backoff);
                    }
                }
            } finally {
                unpublished.decrementAndGet();
                synchronized (flushLock) {
                    flushLock.notifyAll();
                }
            }
        }
    }

    private void listenLoop() {
        Duration backoff = FIRST_BACKOFF;
        while (!closed) {
            AtomicBoolean subscribedOnce = new AtomicBoolean();
            try {
                listen(new Listener() {
                    @Override
                    public void subscribed() {
                        subscriptions.incrementAndGet();
                        subscribedOnce.set(true);
                        if (listenFailing.compareAndSet(true, false)) {
                            LOG.info("subscribed to channel '{}' again", channel);
                        }
                    }

                    @Override
                    public void message(byte[] data) {
                        onMessage(data);
                    }
                });
                if (closed) {
                    return;
                }
                throw new IllegalStateException("subscription ended");
            } catch (Exception e) {
                if (closed) {
                    return;
                }
                if (subscribedOnce.get()) {
                    backoff = FIRST_BACKOFF;
                }
                if (listenFailing.compareAndSet(false, true)) {
                    LOG.warn("lost the subscription to channel '{}' ({}); reconnecting with backoff, local "
                            + "delivery goes on", channel, e.toString());
                }
                if (!pause(backoff)) {
                    return;
                }
                backoff = next(backoff);
            }
        }
    }

    private boolean pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
            return !closed;
        } catch (InterruptedException e) {
            return false;
        }
    }

    private static Duration next(Duration d) {
        Duration doubled = d.multipliedBy(2);
        return doubled.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : doubled;
    }

    // ---------------------------------------------------------------- receiving

    /** Acts on one message from the channel (python's {@code _thread} loop body). */
    final void onMessage(byte[] data) {
        received.incrementAndGet();
        Map<String, Object> m = PubSubMessages.decode(data);
        if (m == null) {
            LOG.debug("ignoring a message on channel '{}' that is not a Socket.IO manager message", channel);
            return;
        }
        ManagedServer s = server();
        if (s == null) {
            return;
        }
        String method = (String) m.get("method");
        try {
            if ("callback".equals(method)) {
                if (hostId.equals(m.get("host_id"))) {
                    onCallback(m);
                }
                return;
            }
            if (hostId.equals(m.get("host_id"))) {
                return;
            }
            String namespace = m.get("namespace") instanceof String ? (String) m.get("namespace") : "/";
            switch (method) {
                case "emit":
                    onEmit(s, m, namespace);
                    break;
                case "disconnect":
                    s.disconnectLocal(namespace, String.valueOf(m.get("sid")));
                    break;
                case "enter_room":
                    basicEnterRoom(namespace, String.valueOf(m.get("sid")), String.valueOf(m.get("room")));
                    break;
                case "leave_room":
                    basicLeaveRoom(namespace, String.valueOf(m.get("sid")), String.valueOf(m.get("room")));
                    break;
                case "close_room":
                    basicCloseRoom(namespace, String.valueOf(m.get("room")));
                    break;
                default:
                    LOG.debug("ignoring unknown method '{}' on channel '{}'", method, channel);
            }
        } catch (IllegalArgumentException e) {
            LOG.warn("ignoring a '{}' message from channel '{}': {}", method, channel, e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("could not act on a '{}' message from channel '{}'", method, channel, e);
        }
    }

    private void onEmit(ManagedServer s, Map<String, Object> m, String namespace) {
        Object event = m.get("event");
        if (!(event instanceof String)) {
            LOG.debug("ignoring an emit without an event name");
            return;
        }
        Set<String> rooms = new LinkedHashSet<>(PubSubMessages.roomsOf(m.get("room")));
        Set<String> skip = new LinkedHashSet<>(PubSubMessages.roomsOf(m.get("skip_sid")));
        Emit emit = new Emit(namespace, (String) event, PubSubMessages.argsOf(m.get("data")), rooms, skip,
                false, true);
        Object cb = m.get("callback");
        if (cb instanceof List && ((List<?>) cb).size() == 3 && m.get("host_id") != null) {
            List<?> callback = (List<?>) cb;
            String origin = String.valueOf(m.get("host_id"));
            s.emitLocal(emit, remoteAckTimeout, answer -> {
                Map<String, Object> reply = new LinkedHashMap<>();
                reply.put("method", "callback");
                reply.put("host_id", origin);
                reply.put("sid", callback.get(0));
                reply.put("namespace", callback.get(1));
                reply.put("id", callback.get(2));
                List<Object> treeArgs = new ArrayList<>();
                for (Object a : answer) {
                    treeArgs.add(PubSubMessages.toTree(a, mapper(), 0));
                }
                reply.put("args", treeArgs);
                send(reply);
            });
        } else {
            s.emitLocal(emit);
        }
    }

    private void onCallback(Map<String, Object> m) {
        Object id = m.get("id");
        if (!(id instanceof Number)) {
            return;
        }
        RemoteAck pending = remoteAcks.remove(((Number) id).longValue());
        if (pending == null) {
            LOG.debug("acknowledgement {} arrived after it timed out", id);
            return;
        }
        pending.cancelTimer();
        Object args = m.get("args");
        List<Object> values = args instanceof List ? new ArrayList<>((List<?>) args) : PubSubMessages.argsOf(args);
        List<Object> answer = java.util.Collections.unmodifiableList(values);
        // completed off the listener thread: callbacks chained on the future are application code
        server().executor().execute(() -> pending.future.complete(answer));
    }

    private static final class RemoteAck {
        final CompletableFuture<List<Object>> future;
        volatile ScheduledFuture<?> timer;

        RemoteAck(CompletableFuture<List<Object>> future) {
            this.future = future;
        }

        void cancelTimer() {
            ScheduledFuture<?> t = timer;
            if (t != null) {
                t.cancel(false);
            }
        }

        void cancel() {
            cancelTimer();
            future.cancel(false);
        }
    }
}
