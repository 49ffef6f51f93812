package org.jsio.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socket.client.IO;
import io.socket.client.Socket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The load generator's sessions are accepted by our server and by the Node.js reference server,
 * what it counts is what the servers saw, and what it sends is what the official client sends
 * and receives.
 */
@Timeout(120)
class LoadGeneratorTest {

    private static LoadGenerator.Config config(String target, String transport, String scenario, int clients) {
        LoadGenerator.Config c = new LoadGenerator.Config();
        c.target = target;
        c.transport = transport;
        c.scenario = scenario;
        c.clients = clients;
        c.warmup = 0.2;
        c.duration = 0.5;
        return c;
    }

    private static long count(Map<String, Object> result, String key) {
        return ((Number) result.get(key)).longValue();
    }

    @ParameterizedTest
    @CsvSource({"jetty, websocket", "jetty, polling", "tomcat, websocket", "tomcat, polling"})
    void echoCountsMatchWhatOurServerHandled(String container, String transport) throws Exception {
        try (BenchServer server = BenchServer.start(container, 0)) {
            Map<String, Object> r = LoadGenerator.run(config(server.baseUrl(), transport, "echo", 4));

            assertEquals(0, count(r, "errors"), () -> "errors: " + r);
            assertEquals(4, count(r, "clientsReady"));
            assertTrue(count(r, "ops") > 0, () -> "no acks measured: " + r);
            assertTrue(count(r, "ops") <= count(r, "received"));
            assertEquals(count(r, "sent"), count(r, "received"), "every echo was acknowledged");
            assertEquals(count(r, "sent"), server.echoes(), "the server handled every echo the generator sent");
        }
    }

    @Test
    void broadcastDeliveriesMatchWhatOurServerSent() throws Exception {
        try (BenchServer server = BenchServer.start("jetty", 0)) {
            LoadGenerator.Config c = config(server.baseUrl(), "websocket", "bcast", 20);
            c.rate = 2_000; // 100 broadcasts per second to 20 clients
            Map<String, Object> r = LoadGenerator.run(c);

            assertEquals(0, count(r, "errors"), () -> "errors: " + r);
            assertTrue(count(r, "broadcasts") > 0);
            assertEquals(count(r, "broadcasts"), server.broadcasts());
            assertEquals(count(r, "broadcasts") * 20, count(r, "deliveriesReceived"), "each client got each broadcast");
        }
    }

    @Test
    void broadcastOverPollingReachesEveryClient() throws Exception {
        try (BenchServer server = BenchServer.start("tomcat", 0)) {
            LoadGenerator.Config c = config(server.baseUrl(), "polling", "bcast", 10);
            c.rate = 1_000; // 100 broadcasts per second, sent from the generator's timer
            Map<String, Object> r = LoadGenerator.run(c);

            assertEquals(0, count(r, "errors"), () -> "errors: " + r);
            assertTrue(count(r, "broadcasts") > 0);
            assertEquals(count(r, "broadcasts"), server.broadcasts());
            assertEquals(count(r, "broadcasts") * 10, count(r, "deliveriesReceived"), "each client got each broadcast");
        }
    }

    @Test
    void broadcastAtFullRateKeepsItsWindowAndLosesNothing() throws Exception {
        try (BenchServer server = BenchServer.start("tomcat", 0)) {
            LoadGenerator.Config c = config(server.baseUrl(), "websocket", "bcast", 10);
            Map<String, Object> r = LoadGenerator.run(c);

            assertEquals(0, count(r, "errors"), () -> "errors: " + r);
            assertEquals(count(r, "broadcasts"), server.broadcasts());
            assertEquals(count(r, "deliveriesExpected"), count(r, "deliveriesReceived"));
        }
    }

    @ParameterizedTest
    @CsvSource({"tomcat", "raw-tomcat"})
    void tomcatTakesMoreThanItsDefault8192Connections(String kind) throws Exception {
        try (BenchServer server = BenchServer.start(kind, 0)) {
            assertEquals(BenchServer.TOMCAT_MAX_CONNECTIONS, BenchServer.tomcatMaxConnections(server.port()));
        }
    }

    @ParameterizedTest
    @CsvSource({"raw-jetty", "raw-tomcat"})
    void rawEndpointEchoesAndBroadcasts(String kind) throws Exception {
        try (BenchServer server = BenchServer.start(kind, 0)) {
            Map<String, Object> echo = LoadGenerator.run(config(server.baseUrl(), "raw", "echo", 4));
            assertEquals(0, count(echo, "errors"), () -> "errors: " + echo);
            assertTrue(count(echo, "ops") > 0);
            assertEquals(count(echo, "sent"), count(echo, "received"));

            LoadGenerator.Config c = config(server.baseUrl(), "raw", "bcast", 10);
            c.rate = 1_000;
            Map<String, Object> bcast = LoadGenerator.run(c);
            assertEquals(0, count(bcast, "errors"), () -> "errors: " + bcast);
            assertTrue(count(bcast, "broadcasts") > 0);
            assertEquals(count(bcast, "broadcasts") * 10, count(bcast, "deliveriesReceived"));
            assertEquals(0, server.rawDropped());
        }
    }

    @Test
    void connectPausesAtEveryCheckpoint() throws Exception {
        try (BenchServer server = BenchServer.start("jetty", 0)) {
            LoadGenerator.Config c = config(server.baseUrl(), "websocket", "connect", 30);
            c.checkpoints = List.of(10);
            List<String> phases = new CopyOnWriteArrayList<>();
            List<Integer> sessionsAtPause = Collections.synchronizedList(new ArrayList<>());
            c.phases = phases::add;
            c.awaitContinue = () -> sessionsAtPause.add(server.connections());
            Map<String, Object> r = LoadGenerator.run(c);

            assertEquals(List.of("connected 10", "connected 30"), phases);
            assertEquals(List.of(10, 30), sessionsAtPause, "the server saw each client before the pause");
            assertEquals(30, count(r, "clientsReady"));
            assertEquals(0, count(r, "errors"), () -> "errors: " + r);
        }
    }

    /** The official Java client and the generator side by side on the Node.js reference server. */
    @Test
    void nodeReferenceServerAcceptsTheGeneratorAndCountsAlike() throws Exception {
        try (NodeServer node = NodeServer.start()) {
            sameAsTheOfficialClient(node.baseUrl());
        }
    }

    @Test
    void ourServerSeesTheGeneratorAsTheOfficialClientDoes() throws Exception {
        try (BenchServer server = BenchServer.start("jetty", 0)) {
            sameAsTheOfficialClient(server.baseUrl());
        }
    }

    /**
     * Runs the generator's echo (websocket and polling) and broadcast next to an official client:
     * the server's own counts (its {@code stats} event) match the generator's, and the official
     * client receives every broadcast the generator sent, in the form the generator expects.
     */
    private static void sameAsTheOfficialClient(String url) throws Exception {
        IO.Options o = IO.Options.builder().setTransports(new String[] {"websocket"}).setReconnection(false).build();
        Socket official = IO.socket(url, o);
        List<String> received = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> connected = new CompletableFuture<>();
        official.on(Socket.EVENT_CONNECT, a -> connected.complete(null));
        official.on(Socket.EVENT_CONNECT_ERROR, a -> connected.completeExceptionally(new IllegalStateException(String.valueOf(a[0]))));
        official.on("bcast", a -> received.add(String.valueOf(a[0])));
        official.connect();
        try {
            connected.get(20, TimeUnit.SECONDS);
            CompletableFuture<Object[]> echoed = new CompletableFuture<>();
            official.emit("echo", new Object[] {"hello", 7}, echoed::complete);
            Object[] ack = echoed.get(20, TimeUnit.SECONDS);
            assertEquals("hello", ack[0]);
            assertEquals(7, ((Number) ack[1]).intValue());

            Map<String, Object> ws = LoadGenerator.run(config(url, "websocket", "echo", 3));
            Map<String, Object> polling = LoadGenerator.run(config(url, "polling", "echo", 3));
            LoadGenerator.Config bc = config(url, "websocket", "bcast", 5);
            bc.rate = 500;
            Map<String, Object> bcast = LoadGenerator.run(bc);
            for (Map<String, Object> r : List.of(ws, polling, bcast)) {
                assertEquals(0, count(r, "errors"), () -> "errors: " + r);
            }
            JSONObject stats = stats(official);
            assertEquals(count(ws, "sent") + count(polling, "sent") + 1, stats.getLong("echo"),
                    "the server handled the generator's echoes and the official client's one");
            assertEquals(count(bcast, "broadcasts"), stats.getLong("bcast"));
            assertEquals(1 + 3 + 3 + 5, stats.getLong("connections"));
            assertEquals(count(bcast, "broadcasts") * 5, count(bcast, "deliveriesReceived"));
            long broadcasts = count(bcast, "broadcasts");
            assertTrue(broadcasts > 0);
            // the official client was connected throughout: it got each broadcast too
            assertEquals(broadcasts, received.size(), () -> "official client got " + received.size());
            assertTrue(received.stream().allMatch(p -> p.matches("t\\d+")), () -> "payloads: " + received);
        } finally {
            official.close();
        }
    }

    private static JSONObject stats(Socket official) throws Exception {
        CompletableFuture<JSONObject> f = new CompletableFuture<>();
        official.emit("stats", new Object[0], a -> f.complete((JSONObject) a[0]));
        return f.get(20, TimeUnit.SECONDS);
    }
}
