package org.jsio.bench;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.websocket.CloseReason;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ceiling of the benchmarks: a plain Jakarta WebSocket (JSR-356) endpoint with no Engine.IO
 * or Socket.IO framing, mounted as a servlet that upgrades every request it receives. Its text
 * protocol is the least a peer could do for the same work:
 *
 * <ul>
 *   <li>{@code o} is sent to a new session once it receives broadcasts (the counterpart of the
 *       Socket.IO connect answer: a client that saw it misses no broadcast);
 *   <li>{@code e...} is sent back unchanged to its sender (echo);
 *   <li>{@code b...} is sent unchanged to every connected session (broadcast);
 *   <li>{@code s} is answered with {@code s{"echo":N,"bcast":N,"connections":N,"dropped":N}}
 *       (counts, for tests).
 * </ul>
 *
 * Sends to one session are serialised by a queue, since containers refuse concurrent
 * asynchronous sends on one session. The queue is bounded: a session with
 * {@value #MAX_QUEUED} messages waiting (a client that does not read) gets no more until it
 * catches up; each message left out is counted ({@link #dropped()}), and the harness's
 * broadcast scenarios report deliveries that never arrived.
 */
public final class RawServer extends HttpServlet {
    private static final long serialVersionUID = 1L;
    /** Messages one session may have waiting to be sent. */
    public static final int MAX_QUEUED = 10_000;

    private final transient Set<Peer> peers = ConcurrentHashMap.newKeySet();
    private final AtomicLong echoes = new AtomicLong();
    private final AtomicLong broadcasts = new AtomicLong();
    private final AtomicLong connections = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    /** A raw endpoint with no sessions yet. */
    public RawServer() {
    }

    /** Messages left out because their session already had {@link #MAX_QUEUED} waiting. */
    public long dropped() {
        return dropped.get();
    }

    /** Sessions open now. */
    public int sessions() {
        return peers.size();
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        Object attribute = request.getServletContext().getAttribute(ServerContainer.class.getName());
        if (!(attribute instanceof ServerContainer container)) {
            response.sendError(HttpServletResponse.SC_INTERNAL_SERVER_ERROR, "no WebSocket container");
            return;
        }
        ServerEndpointConfig config = ServerEndpointConfig.Builder.create(Peer.class, "/")
                .configurator(new ServerEndpointConfig.Configurator() {
                    @Override
                    public <T> T getEndpointInstance(Class<T> endpointClass) {
                        return endpointClass.cast(new Peer(RawServer.this));
                    }
                })
                .build();
        try {
            container.upgradeHttpToWebSocket(request, response, config, Map.of());
        } catch (DeploymentException | IllegalStateException e) {
            if (!response.isCommitted()) {
                response.sendError(HttpServletResponse.SC_BAD_REQUEST, "not a WebSocket handshake");
            }
        }
    }

    private void onText(Peer from, String text) {
        if (text.isEmpty()) {
            return;
        }
        switch (text.charAt(0)) {
            case 'e' -> {
                echoes.incrementAndGet();
                from.send(text);
            }
            case 'b' -> {
                broadcasts.incrementAndGet();
                for (Peer p : peers) {
                    p.send(text);
                }
            }
            case 's' -> from.send("s{\"echo\":" + echoes.get() + ",\"bcast\":" + broadcasts.get()
                    + ",\"connections\":" + connections.get() + ",\"dropped\":" + dropped.get() + "}");
            default -> {
                // unknown messages are ignored
            }
        }
    }

    /** One WebSocket session of the raw endpoint. */
    public static final class Peer extends Endpoint {
        private final RawServer server;
        private final ArrayDeque<String> queue = new ArrayDeque<>();
        private Session session;
        private boolean sending;

        Peer(RawServer server) {
            this.server = server;
        }

        @Override
        public void onOpen(Session s, EndpointConfig config) {
            synchronized (this) {
                session = s;
            }
            s.setMaxIdleTimeout(0); // no heartbeats here: idle clients stay, as they do on the Socket.IO servers
            server.connections.incrementAndGet();
            s.addMessageHandler(String.class, (MessageHandler.Whole<String>) text -> server.onText(this, text));
            server.peers.add(this);
            send("o");
        }

        @Override
        public void onClose(Session s, CloseReason reason) {
            server.peers.remove(this);
            synchronized (this) {
                queue.clear();
            }
        }

        @Override
        public void onError(Session s, Throwable error) {
            server.peers.remove(this);
        }

        void send(String text) {
            Session s;
            synchronized (this) {
                if (sending) {
                    if (queue.size() < MAX_QUEUED) {
                        queue.add(text);
                    } else {
                        server.dropped.incrementAndGet();
                    }
                    return;
                }
                sending = true;
                s = session;
            }
            write(s, text);
        }

        private void write(Session s, String text) {
            try {
                s.getAsyncRemote().sendText(text, this::sent);
            } catch (RuntimeException e) {
                sent(new SendResult(e));
            }
        }

        private void sent(SendResult result) {
            String next;
            Session s;
            synchronized (this) {
                next = result.isOK() ? queue.poll() : null;
                if (next == null) {
                    queue.clear();
                    sending = false;
                    return;
                }
                s = session;
            }
            write(s, next);
        }
    }
}
