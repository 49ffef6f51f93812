package org.jsio.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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

    void closedBy(String why) {
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

    /** A WebSocket whose sends are serialised (the JDK refuses a send while one is pending). */
    abstract static class Ws extends BenchClient implements WebSocket.Listener {
        private final HttpClient http;
        private final URI uri;
        private final ArrayDeque<String> queue = new ArrayDeque<>();
        private final StringBuilder partial = new StringBuilder();
        private WebSocket ws;
        private boolean sending;

        Ws(int index, Listener listener, HttpClient http, URI uri) {
            super(index, listener);
            this.http = http;
            this.uri = uri;
        }

        @Override
        CompletableFuture<Void> connect() {
            http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(30)).buildAsync(uri, this)
                    .whenComplete((w, e) -> {
                        if (e != null) {
                            closedBy("connect failed: " + e);
                        }
                    });
            return ready;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            synchronized (this) {
                ws = webSocket;
            }
            webSocket.request(1);
            opened();
        }

        void opened() {
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            if (!last || partial.length() > 0) {
                partial.append(data);
                if (last) {
                    String whole = partial.toString();
                    partial.setLength(0);
                    onFrame(whole);
                }
            } else {
                onFrame(data.toString());
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closedBy("WebSocket closed " + statusCode + " " + reason);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closedBy("WebSocket error " + error);
        }

        abstract void onFrame(String text);

        final void sendFrame(String text) {
            WebSocket w;
            synchronized (this) {
                if (sending) {
                    queue.add(text);
                    return;
                }
                sending = true;
                w = ws;
            }
            write(w, text);
        }

        private void write(WebSocket w, String text) {
            w.sendText(text, true).whenComplete((x, e) -> {
                String next;
                synchronized (this) {
                    next = e == null ? queue.poll() : null;
                    if (next == null) {
                        sending = false;
                        queue.clear();
                        return;
                    }
                }
                write(w, next);
            });
        }

        @Override
        void close() {
            closed = true;
            WebSocket w;
            synchronized (this) {
                w = ws;
            }
            if (w != null) {
                w.abort();
            }
        }
    }

    /** Socket.IO over an Engine.IO WebSocket session (no polling first, like {@code transports: ["websocket"]}). */
    static final class SioWebSocket extends Ws {
        SioWebSocket(int index, Listener listener, HttpClient http, String baseUrl) {
            super(index, listener, http, URI.create(baseUrl.replaceFirst("^http", "ws")
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

    /** The raw text protocol of {@link RawServer}: no handshake, no framing. */
    static final class Raw extends Ws {
        Raw(int index, Listener listener, HttpClient http, String baseUrl) {
            super(index, listener, http, URI.create(baseUrl.replaceFirst("^http", "ws") + "/raw/"));
        }

        @Override
        void opened() {
            ready.complete(null);
        }

        @Override
        void onFrame(String text) {
            listener.onMessage(this, text);
        }

        @Override
        void send(String message) {
            sendFrame(message);
        }
    }

    /**
     * Socket.IO over Engine.IO HTTP long-polling: one GET always outstanding, one POST at a time
     * carrying everything queued since the last one.
     */
    static final class SioPolling extends BenchClient {
        /** HTTP requests made by all polling clients of this process. */
        static final java.util.concurrent.atomic.LongAdder REQUESTS = new java.util.concurrent.atomic.LongAdder();
        private final HttpClient http;
        private final String base;
        private final ArrayDeque<String> queue = new ArrayDeque<>();
        private volatile String url;
        private boolean posting;

        SioPolling(int index, Listener listener, HttpClient http, String baseUrl) {
            super(index, listener);
            this.http = http;
            this.base = baseUrl + "/socket.io/?EIO=4&transport=polling";
        }

        @Override
        CompletableFuture<Void> connect() {
            http.sendAsync(HttpRequest.newBuilder(URI.create(base)).timeout(Duration.ofSeconds(30)).build(),
                            HttpResponse.BodyHandlers.ofString())
                    .whenComplete((r, e) -> {
                        if (e != null || r.statusCode() != 200) {
                            closedBy("handshake failed: " + (e != null ? e : r.statusCode() + " " + r.body()));
                            return;
                        }
                        try {
                            String open = r.body().split(String.valueOf(RECORD_SEPARATOR))[0];
                            url = base + "&sid=" + sid(open);
                        } catch (RuntimeException x) {
                            closedBy(x.getMessage());
                            return;
                        }
                        post("40");
                        poll();
                    });
            return ready;
        }

        private void poll() {
            if (closed) {
                return;
            }
            REQUESTS.increment();
            http.sendAsync(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
                    .whenComplete((r, e) -> {
                        if (e != null || r.statusCode() != 200) {
                            closedBy("poll failed: " + (e != null ? e : r.statusCode() + " " + r.body()));
                            return;
                        }
                        String body = r.body();
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
                    });
        }

        @Override
        void send(String message) {
            post("4" + message);
        }

        private void post(String packet) {
            String payload;
            synchronized (this) {
                if (posting) {
                    queue.add(packet);
                    return;
                }
                posting = true;
                payload = packet;
            }
            write(payload);
        }

        private void write(String payload) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                    .header("Content-Type", "text/plain;charset=UTF-8")
                    .POST(HttpRequest.BodyPublishers.ofString(payload)).build();
            REQUESTS.increment();
            http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
                if (e != null || r.statusCode() != 200) {
                    closedBy("post failed: " + (e != null ? e : r.statusCode() + " " + r.body()));
                }
                String next;
                synchronized (this) {
                    if (queue.isEmpty() || closed) {
                        queue.clear();
                        posting = false;
                        return;
                    }
                    StringBuilder b = new StringBuilder();
                    for (String p; (p = queue.poll()) != null; ) {
                        if (b.length() > 0) {
                            b.append(RECORD_SEPARATOR);
                        }
                        b.append(p);
                    }
                    next = b.toString();
                }
                write(next);
            });
        }

        @Override
        void close() {
            if (!closed && url != null) {
                post("1");
            }
            closed = true;
        }
    }
}
