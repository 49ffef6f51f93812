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

    /** A WebSocket client on a {@link IoLoop}. */
    abstract static class Ws extends BenchClient implements IoLoop.Handler {
        private final IoLoop loop;
        private final URI uri;
        private volatile IoLoop.WsConn conn;

        Ws(int index, Listener listener, IoLoop loop, URI uri) {
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
        public void onOpen(IoLoop.WsConn c) {
            conn = c; // connect() may not have returned yet
        }

        @Override
        public void onText(IoLoop.WsConn c, String text) {
            onFrame(text);
        }

        @Override
        public void onClosed(IoLoop.WsConn c, String why) {
            closedBy(why);
        }

        abstract void onFrame(String text);

        final void sendFrame(String text) {
            conn.sendText(text);
        }

        @Override
        void close() {
            closed = true;
            IoLoop.WsConn c = conn;
            if (c != null) {
                c.close();
            }
        }
    }

    /** Socket.IO over an Engine.IO WebSocket session (no polling first, like {@code transports: ["websocket"]}). */
    static final class SioWebSocket extends Ws {
        SioWebSocket(int index, Listener listener, IoLoop loop, String baseUrl) {
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
        Raw(int index, Listener listener, IoLoop loop, String baseUrl) {
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
     * Socket.IO over Engine.IO HTTP long-polling, on an {@link IoLoop}: one GET outstanding at a
     * time, and one POST at a time carrying everything queued since the last one, each on a
     * kept-alive connection of its own, as a browser does. Its callbacks run on the loop's thread.
     */
    static final class SioPolling extends BenchClient {
        /** HTTP requests made by all polling clients of this process. */
        static final java.util.concurrent.atomic.LongAdder REQUESTS = new java.util.concurrent.atomic.LongAdder();

        private final String path = "/socket.io/?EIO=4&transport=polling";
        private final IoLoop loop;
        private final IoLoop.HttpConn getConn;
        private final IoLoop.HttpConn postConn;
        /** Packets waiting for the next POST, separated by {@link #RECORD_SEPARATOR} (loop thread only). */
        private final StringBuilder queued = new StringBuilder();
        private boolean posting;
        private String url;

        SioPolling(int index, Listener listener, IoLoop loop, String baseUrl) {
            super(index, listener);
            this.loop = loop;
            URI u = URI.create(baseUrl);
            getConn = loop.http(u.getHost(), u.getPort());
            postConn = loop.http(u.getHost(), u.getPort());
        }

        @Override
        CompletableFuture<Void> connect() {
            loop.execute(() -> {
                REQUESTS.increment();
                getConn.exchange("GET", path, null, this::onHandshake);
            });
            return ready;
        }

        private void onHandshake(int status, String body) {
            if (status != 200) {
                closedBy("handshake failed: " + status + " " + body);
                return;
            }
            url = path + "&sid=" + sid(body.split(String.valueOf(RECORD_SEPARATOR))[0]);
            post("40");
            poll();
        }

        private void poll() {
            if (closed) {
                return;
            }
            REQUESTS.increment();
            getConn.exchange("GET", url, null, this::onPoll);
        }

        private void onPoll(int status, String body) {
            if (status != 200) {
                closedBy("poll failed: " + status + " " + body);
                return;
            }
            int start = 0;
            while (start <= body.length()) {
                int end = body.indexOf(RECORD_SEPARATOR, start);
                if (end < 0) {
                    end = body.length();
                }
                onEnginePacket(body.substring(start, end), this::post);
                start = end + 1;
            }
            poll();
        }

        /** Queues an Engine.IO packet, and sends it now unless a POST is in flight. */
        private void post(String packet) {
            if (queued.length() > 0) {
                queued.append(RECORD_SEPARATOR);
            }
            queued.append(packet);
            if (!posting && url != null) {
                flushPosts();
            }
        }

        private void flushPosts() {
            if (closed) {
                return;
            }
            posting = true;
            String payload = queued.toString();
            queued.setLength(0);
            REQUESTS.increment();
            postConn.exchange("POST", url, payload, (status, body) -> {
                posting = false;
                if (status != 200) {
                    closedBy("post failed: " + status + " " + body);
                } else if (queued.length() > 0) {
                    flushPosts();
                }
            });
        }

        @Override
        void send(String message) {
            if (loop.inLoop()) {
                post("4" + message);
            } else {
                loop.execute(() -> post("4" + message));
            }
        }

        @Override
        void close() {
            closed = true;
            getConn.close();
            postConn.close();
        }
    }
}
