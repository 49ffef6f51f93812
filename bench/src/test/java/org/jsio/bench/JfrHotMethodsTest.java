package org.jsio.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The profile summary reads a real recording and names the sampled code. */
@Timeout(60)
class JfrHotMethodsTest {

    @Test
    void summarisesTheSamplesOfARecording(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("busy.jfr");
        long sink = 0;
        try (Recording r = new Recording()) {
            r.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
            r.start();
            // busy until some samples were taken (the sampler needs the thread on a CPU)
            long end = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (System.nanoTime() < end) {
                sink += Long.toString(sink).hashCode();
            }
            r.stop();
            r.dump(file);
        }
        assertTrue(Files.size(file) > 0, "sink " + sink);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            JfrHotMethods.main(new String[] {"--top", "5", file.toString()});
        } finally {
            System.setOut(old);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.matches("(?s)\\d+ CPU samples.*## by thread.*## hottest methods \\(self\\).*"), text);
        assertTrue(text.contains("org.jsio.bench.JfrHotMethodsTest.summarisesTheSamplesOfARecording")
                || text.startsWith("0 CPU samples"), text);
    }
}
