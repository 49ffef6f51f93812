package org.jsio.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socket.client.IO;
import io.socket.client.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jsio.manager.RedisManager;
import org.jsio.testing.RedisServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code bcast-2node} set-up: two benchmark servers (one on Jetty, one on Tomcat) joined
 * through a real {@code redis-server}, clients on both. Every client gets every broadcast exactly
 * once, whichever node it is on and whichever node the broadcast was sent to.
 */
@Timeout(180)
class TwoNodeBroadcastTest {

    @Test
    void generatorClientsOnBothNodesGetEachBroadcastExactlyOnce() throws Exception {
        try (RedisServer redis = RedisServer.start();
                BenchServer a = BenchServer.start("jetty", 0, RedisManager.create(redis.url()));
                BenchServer b = BenchServer.start("tomcat", 0, RedisManager.create(redis.url()))) {
            LoadGenerator.Config c = new LoadGenerator.Config();
            c.target = a.baseUrl() + "," + b.baseUrl();
            c.transport = "websocket";
            c.scenario = "bcast";
            c.clients = 20;
            c.rate = 2_000; // 100 broadcasts per second, each to 10 clients per node
            c.warmup = 0.2;
            c.duration = 0.5;
            Map<String, Object> r = LoadGenerator.run(c);

            assertEquals(0, count(r, "errors"), () -> "errors: " + r);
            long broadcasts = count(r, "broadcasts");
            assertTrue(broadcasts > 0, () -> "nothing broadcast: " + r);
            assertEquals(broadcasts, a.broadcasts(), "the sender's node handled every bcast");
            assertEquals(0, b.broadcasts(), "the other node only relayed");
            assertEquals(10, a.connections());
            assertEquals(10, b.connections());
            assertEquals(broadcasts * 20, count(r, "deliveriesReceived"));
            assertEquals(broadcasts, count(r, "leastDeliveriesToOneClient"), () -> "a client missed some: " + r);
            assertEquals(broadcasts, count(r, "mostDeliveriesToOneClient"), () -> "a client got some twice: " + r);
        }
    }

    @Test
    void officialClientsOnBothNodesGetEachBroadcastExactlyOnce() throws Exception {
        try (RedisServer redis = RedisServer.start();
                BenchServer a = BenchServer.start("tomcat", 0, RedisManager.create(redis.url()));
                BenchServer b = BenchServer.start("jetty", 0, RedisManager.create(redis.url()))) {
            int perNode = 2;
            int messages = 40;
            CountDownLatch ended = new CountDownLatch(2 * perNode);
            List<Socket> sockets = new ArrayList<>();
            List<List<String>> received = new ArrayList<>();
            try {
                for (int i = 0; i < 2 * perNode; i++) {
                    List<String> mine = new CopyOnWriteArrayList<>();
                    received.add(mine);
                    sockets.add(connect(i % 2 == 0 ? a.baseUrl() : b.baseUrl(), mine, ended));
                }
                Socket sender = sockets.get(1); // on node b this time
                for (int m = 0; m < messages; m++) {
                    sender.emit("bcast", "m" + m);
                }
                sender.emit("bcast", "end");
                assertTrue(ended.await(60, TimeUnit.SECONDS), () -> "not every client got the last broadcast: " + received);

                List<String> expected = new ArrayList<>();
                for (int m = 0; m < messages; m++) {
                    expected.add("m" + m);
                }
                for (int i = 0; i < received.size(); i++) {
                    List<String> got = new ArrayList<>(received.get(i));
                    got.sort(null);
                    List<String> want = new ArrayList<>(expected);
                    want.sort(null);
                    int client = i;
                    assertEquals(want, got, () -> "client " + client + " (node " + (client % 2 == 0 ? "a" : "b") + ")");
                }
                assertEquals(messages + 1, b.broadcasts());
                assertEquals(0, a.broadcasts());
            } finally {
                sockets.forEach(Socket::close);
            }
        }
    }

    /** An official client on {@code url} that records {@code bcast} payloads until {@code end}. */
    private static Socket connect(String url, List<String> received, CountDownLatch ended) throws Exception {
        IO.Options o = IO.Options.builder().setTransports(new String[] {"websocket"}).setReconnection(false).build();
        Socket s = IO.socket(url, o);
        CompletableFuture<Void> connected = new CompletableFuture<>();
        s.on(Socket.EVENT_CONNECT, x -> connected.complete(null));
        s.on(Socket.EVENT_CONNECT_ERROR, x -> connected.completeExceptionally(new IllegalStateException(String.valueOf(x[0]))));
        s.on("bcast", x -> {
            String payload = String.valueOf(x[0]);
            if ("end".equals(payload)) {
                ended.countDown();
            } else {
                received.add(payload);
            }
        });
        s.connect();
        try {
            connected.get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            s.close();
            throw e;
        }
        return s;
    }

    private static long count(Map<String, Object> result, String key) {
        return ((Number) result.get(key)).longValue();
    }
}
