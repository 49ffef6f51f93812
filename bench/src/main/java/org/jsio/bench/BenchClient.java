package org.jsio.bench;

import java.io.IOException;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One client of the load generator, speaking the wire protocol directly: Engine.IO v4 over
 * WebSocket or HTTP long-polling with Socket.IO v5 packets in the default namespace, or the raw
 * text protocol of {@link RawServer}. It answers pings itself; everything else it receives goes
 * to its {@link Listener}. A client's callbacks never run concurrently with each other.
 */
abstract class BenchClient {
    /** Receives what the client's server sends. */
    interface Listener {
        /** A Socket.IO packet (without the Engine.IO {@code 4} prefix) or a raw text message. */
        void onMessage(BenchClient client, String message);

        /** The session ended, at the server's initiative or on an error. */
        default void onClosed(BenchClient client, String why) {
        }
    }

    /** The Engine.IO record separator between packets of one polling payload. */
    static final char RECORD_SEPARATOR = '\u001e';
    private static final Pattern SID = Pattern.compile("\"sid\":\"([^\"]+)\"");

    final int index;
    final Listener listener;
    final CompletableFuture<Void> ready = new CompletableFuture<>();
    /** Scenario state, touched only from this client's callbacks (and before it connects). */
    final Latencies latencies = new Latencies();
    long sentAt;
    long nextId;
    long windowOps;
    /** bcast: broadcasts received (written by this client's callbacks only). */
    volatile long deliveries;
    volatile long pings;
    volatile boolean closed;

    BenchClient(int index, Listener listener) {
        this.index = index;
        this.listener = listener;
    }

    /** Starts connecting; {@link #ready} completes once the client may send events. */
    abstract CompletableFuture<Void> connect();

    /** Sends a Socket.IO packet (such as {@code 2["bcast","x"]}) or a raw text message. */
    abstract void send(String message);

    /** Ends the session without waiting. */
    abstract void close();

    synchronized void closedBy(String why) {
        if (!closed) {
            closed = true;
            ready.completeExceptionally(new IllegalStateException("closed before ready: " + why));
            listener.onClosed(this, why);
        }
    }

    /** Handles one Engine.IO packet; {@code reply} sends an Engine.IO packet back. */
    final void onEnginePacket(String packet, java.util.function.Consumer<String> reply) {
        if (packet.isEmpty()) {
            return;
        }
        switch (packet.charAt(0)) {
            case '0' -> onOpenPacket(packet);
            case '2' -> {
                pings++;
                reply.accept("3");
            }
            case '4' -> {
                if (!ready.isDone()) {
                    if (packet.startsWith("40")) {
                        ready.complete(null);
                    } else if (packet.startsWith("44")) {
                        ready.completeExceptionally(new IllegalStateException("connect refused: " + packet));
                    }
                    return;
                }
                listener.onMessage(this, packet.substring(1));
            }
            case '1' -> closedBy("server closed the session");
            default -> {
                // noop (6) and others are ignored
            }
        }
    }

    void onOpenPacket(String packet) {
        // a WebSocket session connects to the default namespace as soon as it is open
    }

    static String sid(String openPacket) {
        Matcher m = SID.matcher(openPacket);
        if (!m.find()) {
            throw new IllegalStateException("no sid in the open packet: " + openPacket);
        }
        return m.group(1);
    }

    /** A WebSocket client on a {@link WsLoop}. */
    abstract static class Ws extends BenchClient implements WsLoop.Handler {
        private final WsLoop loop;
        private final URI uri;
        private volatile WsLoop.Conn conn;

        Ws(int index, Listener listener, WsLoop loop, URI uri) {
            super(index, listener);
            this.loop = loop;
            this.uri = uri;
        }

        @Override
        CompletableFuture<Void> connect() {
            conn = loop.connect(uri.getHost(), uri.getPort(), uri.getRawPath()
                    + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()), this);
            return ready;
        }

        @Override
        public void onOpen(WsLoop.Conn c) {
            conn = c; // connect() may not have returned yet
        }

        @Override
        public void onText(WsLoop.Conn c, String text) {
            onFrame(text);
        }

        @Override
        public void onClosed(WsLoop.Conn c, String why) {
            closedBy(why);
        }

        abstract void onFrame(String text);

        final void sendFrame(String text) {
            conn.sendText(text);
        }

        @Override
        void close() {
            closed = true;
            WsLoop.Conn c = conn;
            if (c != null) {
                c.close();
            }
        }
    }

    /** Socket.IO over an Engine.IO WebSocket session (no polling first, like {@code transports: ["websocket"]}). */
    static final class SioWebSocket extends Ws {
        SioWebSocket(int index, Listener listener, WsLoop loop, String baseUrl) {
            super(index, listener, loop, URI.create(baseUrl.replaceFirst("^http", "ws")
                    + "/socket.io/?EIO=4&transport=websocket"));
        }

        @Override
        void onOpenPacket(String packet) {
            sendFrame("40");
        }

        @Override
        void onFrame(String text) {
            onEnginePacket(text, this::sendFrame);
        }

        @Override
        void send(String message) {
            sendFrame("4" + message);
        }
    }

    /**
     * The raw text protocol of {@link RawServer}: no Engine.IO or Socket.IO framing; ready when the
     * server's {@code o} arrives (from then on the session receives broadcasts).
     */
    static final class Raw extends Ws {
        Raw(int index, Listener listener, WsLoop loop, String baseUrl) {
            super(index, listener, loop, URI.create(baseUrl.replaceFirst("^http", "ws") + "/raw/"));
        }

        @Override
        void onFrame(String text) {
            if (!ready.isDone()) {
                if ("o".equals(text)) {
                    ready.complete(null);
                } else {
                    closedBy("expected o first, got " + text);
                    close();
                }
                return;
            }
            listener.onMessage(this, text);
        }

        @Override
        void send(String message) {
            sendFrame(message);
        }
    }

    /**
     * Socket.IO over Engine.IO HTTP long-polling: a thread holding one GET outstanding at a time
     * (it also runs this client's callbacks), and a thread sending one POST at a time with
     * everything queued since the last one, each on a kept-alive connection of its own.
     */
    static final class SioPolling extends BenchClient {
        /** HTTP requests made by all polling clients of this process. */
        static final java.util.concurrent.atomic.LongAdder REQUESTS = new java.util.concurrent.atomic.LongAdder();

        private final String path = "/socket.io/?EIO=4&transport=polling";
        private final HttpConn getConn;
        private final HttpConn postConn;
        private final java.util.concurrent.LinkedBlockingQueue<String> queue = new java.util.concurrent.LinkedBlockingQueue<>();
        private volatile String url;

        SioPolling(int index, Listener listener, String baseUrl) {
            super(index, listener);
            URI u = URI.create(baseUrl);
            getConn = new HttpConn(u.getHost(), u.getPort());
            postConn = new HttpConn(u.getHost(), u.getPort());
        }

        @Override
        CompletableFuture<Void> connect() {
            Thread t = new Thread(this::pollLoop, "polling-get-" + index);
            t.setDaemon(true);
            t.start();
            return ready;
        }

        private void pollLoop() {
            try {
                REQUESTS.increment();
                HttpConn.Response open = getConn.exchange("GET", path, null);
                if (open.status() != 200) {
                    closedBy("handshake failed: " + open.status() + " " + open.body());
                    return;
                }
                url = path + "&sid=" + sid(open.body().split(String.valueOf(RECORD_SEPARATOR))[0]);
                Thread posts = new Thread(this::postLoop, "polling-post-" + index);
                posts.setDaemon(true);
                posts.start();
                queue.add("40");
                while (!closed) {
                    REQUESTS.increment();
                    HttpConn.Response r = getConn.exchange("GET", url, null);
                    if (r.status() != 200) {
                        closedBy("poll failed: " + r.status() + " " + r.body());
                        return;
                    }
                    String body = r.body();
                    int start = 0;
                    while (start <= body.length()) {
                        int end = body.indexOf(RECORD_SEPARATOR, start);
                        if (end < 0) {
                            end = body.length();
                        }
                        onEnginePacket(body.substring(start, end), queue::add);
                        start = end + 1;
                    }
                }
            } catch (IOException | RuntimeException e) {
                closedBy("poll failed: " + e);
            }
        }

        private void postLoop() {
            try {
                StringBuilder b = new StringBuilder();
                while (!closed) {
                    String first = queue.poll(1, java.util.concurrent.TimeUnit.SECONDS);
                    if (first == null) {
                        continue;
                    }
                    b.setLength(0);
                    b.append(first);
                    for (String p; (p = queue.poll()) != null; ) {
                        b.append(RECORD_SEPARATOR).append(p);
                    }
                    REQUESTS.increment();
                    HttpConn.Response r = postConn.exchange("POST", url, b.toString());
                    if (r.status() != 200) {
                        closedBy("post failed: " + r.status() + " " + r.body());
                        return;
                    }
                }
            } catch (IOException | RuntimeException e) {
                closedBy("post failed: " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        void send(String message) {
            queue.add("4" + message);
        }

        @Override
        void close() {
            closed = true;
            getConn.close();
            postConn.close();
        }
    }
}
