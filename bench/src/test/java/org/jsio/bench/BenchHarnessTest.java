package org.jsio.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run of the harness cut to a second per server: every server type starts in its own process
 * and answers the generator (also in its own process), two processes of each Socket.IO server
 * share a harness-started Redis and deliver every broadcast to the clients of both, and the
 * report names each of them.
 */
@Timeout(300)
class BenchHarnessTest {

    @Test
    void everyServerStartsAndAnswersInAShortRun() throws Exception {
        NodeServer.ensureInstalled();
        Path out = Path.of("target/bench-smoke/results.md").toAbsolutePath();
        Files.createDirectories(out.getParent());
        Bench.Options o = Bench.parse(new String[] {
                "--root", "..", "--scenarios", "echo-ws,bcast-2node", "--warmup", "0.2", "--duration", "0.5",
                "--repeats", "1", "--bcast-clients", "20", "--out", out.toString(),
                "--server-jvm-opts", "-Xmx256m -XX:TieredStopAtLevel=1",
                "--generator-jvm-opts", "-Xmx256m -XX:TieredStopAtLevel=1"});
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        Map<String, Map<String, List<Bench.Measurement>>> results =
                new Bench(o, new PrintStream(progress, true, StandardCharsets.UTF_8)).run();

        Map<String, List<Bench.Measurement>> echo = results.get("echo-ws");
        assertEquals(Bench.ALL_SERVERS, List.copyOf(echo.keySet()));
        for (Map.Entry<String, List<Bench.Measurement>> e : echo.entrySet()) {
            assertEquals(1, e.getValue().size());
            Bench.Measurement m = e.getValue().get(0);
            assertNull(m.error, () -> e.getKey() + ": " + m.error + "\n" + progress);
            assertTrue(m.ops() > 0, () -> e.getKey() + " answered nothing: " + m.generator);
            assertEquals(0.0, Bench.num(m.generator.get("errors")), () -> e.getKey() + ": " + m.generator);
            assertTrue(m.serverCpuSeconds >= 0, () -> e.getKey() + ": server CPU " + m.serverCpuSeconds);
            // two generator processes shared the 50 clients, and both measured
            assertEquals(2.0, Bench.num(m.generator.get("generators")), () -> e.getKey() + ": " + m.generator);
            assertEquals(50.0, Bench.num(m.generator.get("clientsReady")), () -> e.getKey() + ": " + m.generator);
            assertEquals(2, ((List<?>) m.generator.get("generatorCpuPctEach")).size(), () -> e.getKey() + ": " + m.generator);
            assertTrue(Bench.num(m.generator.get("p99Micros")) >= Bench.num(m.generator.get("p50Micros")),
                    () -> e.getKey() + ": " + m.generator);
            assertTrue(Bench.num(m.generator.get("p50Micros")) > 0, () -> e.getKey() + ": " + m.generator);
        }
        Map<String, List<Bench.Measurement>> twoNodes = results.get("bcast-2node");
        assertEquals(List.of("jetty", "tomcat", "node"), List.copyOf(twoNodes.keySet()));
        for (Map.Entry<String, List<Bench.Measurement>> e : twoNodes.entrySet()) {
            assertEquals(1, e.getValue().size());
            Bench.Measurement m = e.getValue().get(0);
            assertNull(m.error, () -> e.getKey() + ": " + m.error + "\n" + progress);
            assertEquals(0.0, Bench.num(m.generator.get("errors")), () -> e.getKey() + ": " + m.generator);
            double broadcasts = Bench.num(m.generator.get("broadcasts"));
            assertTrue(broadcasts > 0, () -> e.getKey() + " broadcast nothing: " + m.generator);
            assertEquals(broadcasts * 20, Bench.num(m.generator.get("deliveriesReceived")), () -> e.getKey() + ": " + m.generator);
            assertEquals(broadcasts, Bench.num(m.generator.get("leastDeliveriesToOneClient")), () -> e.getKey() + ": " + m.generator);
            assertEquals(broadcasts, Bench.num(m.generator.get("mostDeliveriesToOneClient")), () -> e.getKey() + ": " + m.generator);
            assertTrue(m.serverCpuSeconds > 0, () -> e.getKey() + ": server CPU " + m.serverCpuSeconds);
        }

        String report = Files.readString(out);
        for (String server : Bench.ALL_SERVERS) {
            assertTrue(report.contains("| " + server + " | "), () -> server + " missing from\n" + report);
        }
        assertTrue(report.contains("### bcast-2node"), report);
        assertTrue(report.contains("| lost |"), report);
        assertNotNull(Files.readString(Path.of(out.toString().replace(".md", ".json"))));
    }

    @Test
    void optionsAreCheckedBeforeAnythingStarts() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Bench.parse(new String[] {"--servers", "jetty,undertow"}));
        assertTrue(e.getMessage().contains("undertow"), e.getMessage());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Bench.parse(new String[] {"--repeats", "0"}));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Bench.parse(new String[] {"--generators", "0"}));
    }

    @Test
    void linesOfSeveralGeneratorsComeTaggedAndEachEndIsReported() throws Exception {
        Process quits = new ProcessBuilder("sh", "-c", "echo one; exit 3").start();
        Process waits = new ProcessBuilder("sh", "-c", "echo two; read x; echo three").start();
        Bench.GeneratorLines lines = new Bench.GeneratorLines(List.of(quits, waits));
        java.util.Set<Bench.GeneratorLines.Line> seen = new java.util.HashSet<>();
        while (seen.size() < 3) {
            seen.add(lines.next());
        }
        // the second process waits for its input until told to go on, so only the first has ended
        assertEquals(java.util.Set.of(new Bench.GeneratorLines.Line(0, "one"), new Bench.GeneratorLines.Line(0, null),
                new Bench.GeneratorLines.Line(1, "two")), seen);
        waits.getOutputStream().write('\n');
        waits.getOutputStream().flush();
        assertEquals(new Bench.GeneratorLines.Line(1, "three"), lines.next());
        assertEquals(new Bench.GeneratorLines.Line(1, null), lines.next());
        assertNull(lines.next());
    }

    @Test
    void theEchoClientsAreSharedOutWhole() {
        assertEquals(List.of(25, 25), List.of(Bench.share(50, 0, 2), Bench.share(50, 1, 2)));
        assertEquals(List.of(17, 17, 16), List.of(Bench.share(50, 0, 3), Bench.share(50, 1, 3), Bench.share(50, 2, 3)));
    }

    @Test
    void resultsOfSeveralGeneratorsAddUpAndTheirLatenciesMerge(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a.samples");
        Path b = dir.resolve("b.samples");
        LoadGenerator.writeSamples(a, new long[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
        LoadGenerator.writeSamples(b, new long[] {100, 200});
        Map<String, Object> first = Map.of("clients", 25, "opsPerSec", 1000.0, "generatorCpuPct", 30.0, "seconds", 20.0,
                "errors", 0);
        Map<String, Object> second = new java.util.HashMap<>(Map.of("clients", 25, "opsPerSec", 500.0,
                "generatorCpuPct", 20.0, "seconds", 20.002, "errors", 1));
        second.put("firstError", "boom");
        Map<String, Object> r = Bench.combined(List.of(first, second),
                List.of(LoadGenerator.readSamples(a), LoadGenerator.readSamples(b)));
        assertEquals(50.0, r.get("clients"));
        assertEquals(1500.0, r.get("opsPerSec"));
        assertEquals(50.0, r.get("generatorCpuPct"));
        assertEquals(1.0, r.get("errors"));
        assertEquals("boom", r.get("firstError"));
        assertEquals(20.001, (double) r.get("seconds"), 1e-9);
        // 12 samples: the median is the 6th smallest, the 99th percentile the largest
        assertEquals(6L, r.get("p50Micros"));
        assertEquals(200L, r.get("p99Micros"));
        assertEquals(List.of(30.0, 20.0), r.get("generatorCpuPctEach"));
    }

    @Test
    void connectScenariosStayWithinTheOpenFileLimit() {
        long hard = Bench.openFileHardLimit();
        int n = Bench.connectClients(20_000);
        assertTrue(n <= 20_000);
        if (hard > 0) {
            assertTrue(n <= hard - 400, "clients " + n + ", limit " + hard);
        }
    }
}
