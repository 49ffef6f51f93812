package org.jsio.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The Node.js reference server of bench/node, installed with {@code npm ci} when missing, in a child process. */
final class NodeServer implements AutoCloseable {
    /** bench/node, seen from the module folder tests run in. */
    static final Path DIR = Path.of("node").toAbsolutePath();

    private final Process process;
    private final int port;

    private NodeServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static synchronized void ensureInstalled() throws IOException, InterruptedException {
        Path stamp = DIR.resolve("node_modules/.package-lock.json");
        if (Files.exists(stamp)
                && Files.getLastModifiedTime(stamp).compareTo(Files.getLastModifiedTime(DIR.resolve("package-lock.json"))) >= 0) {
            return;
        }
        Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(DIR.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!npm.waitFor(5, TimeUnit.MINUTES) || npm.exitValue() != 0) {
            throw new IllegalStateException("npm ci failed in " + DIR);
        }
    }

    static NodeServer start() throws Exception {
        ensureInstalled();
        Process p = new ProcessBuilder(List.of("node", DIR.resolve("server.js").toString(), "0"))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            return new NodeServer(p, Bench.awaitListening(p));
        } catch (IOException | RuntimeException e) {
            p.destroyForcibly();
            throw e;
        }
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        Bench.stop(process);
    }
}
