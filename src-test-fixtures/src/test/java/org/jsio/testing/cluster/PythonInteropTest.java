package org.jsio.testing.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jsio.manager.Emitter;
import org.jsio.manager.RedisManager;
import org.jsio.testing.RedisServer;
import org.jsio.testing.node.NodeClient;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Interoperability with python-socketio's Redis manager (Debian's {@code python3-socketio} and
 * {@code python3-redis}, which {@code scripts/setup.sh} installs for {@code /usr/bin/python3}):
 * a Python write-only emitter drives a Java cluster, and a Java emitter's messages read in Python
 * the way python-socketio's {@code PubSubManager} reads them.
 */
class PythonInteropTest {
    private static final Duration T = NodeClient.TIMEOUT;

    /** A Python 3 with python-socketio and redis, or {@code null}. */
    static String python() {
        for (String candidate : new String[] {System.getenv("JSIO_PYTHON3"), "/usr/bin/python3"}) {
            if (candidate == null || !Files.isExecutable(Path.of(candidate))) {
                continue;
            }
            try {
                Process p = new ProcessBuilder(candidate, "-c", "import socketio, redis").redirectErrorStream(true)
                        .start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return candidate;
                }
            } catch (IOException e) {
                // try the next one
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    private static Path script(String name) throws IOException {
        Path dir = Files.createTempDirectory("jsio-py-");
        Path file = dir.resolve(name);
        try (var in = PythonInteropTest.class.getResourceAsStream("/python/" + name)) {
            Files.write(file, in.readAllBytes());
        }
        return file;
    }

    private static void await(NodeClient node, String id, String event) {
        node.awaitEvent(id, event, T);
    }

    @Test
    void aPythonWriteOnlyEmitterDrivesAJavaCluster() throws Exception {
        String python = python();
        Assumptions.assumeTrue(python != null, "no python3 with python-socketio and redis (scripts/setup.sh)");
        try (RedisServer redis = RedisServer.start();
                ClusterNode a = new ClusterNode("jetty", redis.url());
                ClusterNode b = new ClusterNode("tomcat", redis.url());
                NodeClient node = NodeClient.start()) {
            ClusterTest.awaitSubscribed(a, b);
            String opts = ClusterTest.WEBSOCKET_ONLY;
            node.connect("pa", a.url("/"), opts);
            String sidA = node.awaitConnect("pa", T).get("sid").getAsString();
            node.connect("pb", b.url("/"), opts);
            String sidB = node.awaitConnect("pb", T).get("sid").getAsString();
            node.connect("pc", b.url("/chat"), opts);
            node.awaitConnect("pc", T);
            b.sio.enterRoom(sidB, "py-room");

            Process p = new ProcessBuilder(python, script("emit.py").toString(), redis.url(), sidA, sidB, "py-room")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "emit.py failed: " + out);

            for (String id : new String[] {"pa", "pb"}) {
                JsonObject news = node.awaitEvent(id, "py-news", T).getAsJsonArray("args").get(0).getAsJsonObject();
                assertEquals("hello from python", news.get("text").getAsString());
                assertEquals(1, news.get("n").getAsInt());
            }
            JsonArray multi = node.awaitEvent("pb", "py-multi", T).getAsJsonArray("args");
            assertEquals(3, multi.size(), "a tuple is three arguments: " + multi);
            assertEquals("x", multi.get(0).getAsString());
            assertEquals(2, multi.get(1).getAsInt());
            assertArrayEquals(new byte[] {0, 1, (byte) 0xff}, NodeClient.bytes(multi.get(2)));
            assertEquals("to chat", node.awaitEvent("pc", "py-chat", T).getAsJsonArray("args").get(0).getAsString());
            await(node, "pb", "py-skip");
            assertEquals("io server disconnect", node.awaitType("disconnect", "pb", T).get("reason").getAsString());
            // pa was skipped and was not in the room: a last broadcast shows nothing else was on its way
            b.sio.emit("marker", "end");
            await(node, "pa", "marker");
            long unexpected = node.received().stream().filter(r -> "pa".equals(string(r, "id"))
                    && ("py-skip".equals(string(r, "event")) || "py-multi".equals(string(r, "event")))).count();
            assertEquals(0, unexpected);
        }
    }

    private static String string(JsonObject r, String key) {
        JsonElement e = r.get(key);
        return e != null && e.isJsonPrimitive() ? e.getAsString() : null;
    }

    @Test
    void aJavaEmittersMessagesReadInPython() throws Exception {
        String python = python();
        Assumptions.assumeTrue(python != null, "no python3 with python-socketio and redis (scripts/setup.sh)");
        try (RedisServer redis = RedisServer.start()) {
            Process p = new ProcessBuilder(python, script("listen.py").toString(), redis.url(), "5")
                    .redirectErrorStream(true).start();
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                assertEquals("ready", lines.readLine());
                try (Emitter emitter = RedisManager.emitter(redis.url())) {
                    emitter.emit("j-news", java.util.Map.of("a", 1));
                    emitter.to("r1").skipSid("s1").emit("j-multi", "x", 2, new byte[] {0, (byte) 0xff});
                    emitter.of("/chat").disconnect("sid9");
                    emitter.enterRoom("sid1", "r2");
                    emitter.closeRoom("r3");
                }
                List<JsonObject> got = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    String line = lines.readLine();
                    assertTrue(line != null && line.startsWith("{"), "listen.py said: " + line);
                    got.add(JsonParser.parseString(line).getAsJsonObject());
                }
                JsonObject news = got.get(0);
                assertEquals("json", news.get("$format").getAsString());
                assertEquals("emit", news.get("method").getAsString());
                assertEquals("j-news", news.get("event").getAsString());
                assertEquals(1, news.getAsJsonObject("data").get("a").getAsInt());
                assertEquals("/", news.get("namespace").getAsString());
                assertTrue(news.get("room").isJsonNull() && news.get("skip_sid").isJsonNull());
                assertEquals(32, news.get("host_id").getAsString().length());

                JsonObject multi = got.get(1);
                assertEquals("pickle", multi.get("$format").getAsString());
                assertEquals("tuple", multi.get("$data_type").getAsString());
                JsonArray data = multi.getAsJsonArray("data");
                assertEquals("x", data.get(0).getAsString());
                assertEquals(2, data.get(1).getAsInt());
                assertArrayEquals(new byte[] {0, (byte) 0xff},
                        Base64.getDecoder().decode(data.get(2).getAsJsonObject().get("$bytes").getAsString()));
                assertEquals("r1", multi.get("room").getAsString());
                assertEquals("s1", multi.get("skip_sid").getAsString());

                JsonObject disconnect = got.get(2);
                assertEquals("disconnect", disconnect.get("method").getAsString());
                assertEquals("sid9", disconnect.get("sid").getAsString());
                assertEquals("/chat", disconnect.get("namespace").getAsString());
                JsonObject enter = got.get(3);
                assertEquals("enter_room", enter.get("method").getAsString());
                assertEquals("sid1", enter.get("sid").getAsString());
                assertEquals("r2", enter.get("room").getAsString());
                JsonObject close = got.get(4);
                assertEquals("close_room", close.get("method").getAsString());
                assertEquals("r3", close.get("room").getAsString());
            } finally {
                p.destroy();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
