package org.jsio.example;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jsio.testing.Folders;

/**
 * A stand-alone servlet container (a Jetty home or a Tomcat distribution) running in a child JVM
 * with the example WAR deployed: started by a test, waited for until {@code /api/health} answers
 * 200, and stopped with SIGTERM (then killed, with anything it started, if it does not exit).
 */
public final class StandaloneContainer implements RunningChat {
    private static final Duration STARTUP = Duration.ofSeconds(120);
    private static final Duration SHUTDOWN = Duration.ofSeconds(60);

    private final String name;
    private final Process process;
    private final Path log;
    private Path scratch;
    private final String baseUrl;
    private boolean closed;

    private StandaloneContainer(String name, Process process, Path log, Path scratch, String baseUrl) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.scratch = scratch;
        this.baseUrl = baseUrl;
    }

    /**
     * Runs {@code command} with its output in {@code log} and waits until
     * {@code baseUrl/api/health} answers 200.
     *
     * @param scratch a folder deleted when the container has stopped, or {@code null}
     */
    public static StandaloneContainer start(String name, List<String> command, Path log, Path scratch, String baseUrl)
            throws IOException, InterruptedException {
        Files.createDirectories(log.getParent());
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        StandaloneContainer container = new StandaloneContainer(name, process, log, scratch, baseUrl);
        try {
            container.awaitHealthy();
        } catch (PortTakenException e) {
            container.scratch = null; // kept for the next attempt
            container.close();
            throw e;
        } catch (IOException | InterruptedException | RuntimeException e) {
            container.close();
            throw e;
        }
        return container;
    }

    /** The command that runs a container listening on 127.0.0.1:{@code port}. */
    @FunctionalInterface
    public interface CommandForPort {
        /** Prepares the container's configuration for {@code port} and returns its command line. */
        List<String> command(int port) throws IOException;
    }

    /**
     * Like {@link #start}, on a port that was free a moment before: if another process takes it
     * first (the container then logs "Address already in use"), starts again on another one.
     */
    public static StandaloneContainer startOnFreePort(String name, CommandForPort command, Path log, Path scratch)
            throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            int port = freePort();
            try {
                return start(name, command.command(port), log, scratch, RunningChat.baseUrl("127.0.0.1", port));
            } catch (PortTakenException e) {
                if (attempt == 5) {
                    Folders.deleteTree(scratch);
                    throw e;
                }
            }
        }
    }

    /** The container could not listen on its port: another process took it after {@link #freePort()}. */
    private static final class PortTakenException extends IOException {
        private static final long serialVersionUID = 1L;

        PortTakenException(String message) {
            super(message);
        }
    }

    /** Runs a command to completion (such as Jetty's {@code --add-modules}), failing on a non-zero exit. */
    public static void run(List<String> command, Path log) throws IOException, InterruptedException {
        Files.createDirectories(log.getParent());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(STARTUP.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new IOException(command + " did not finish; see " + log);
        }
        if (p.exitValue() != 0) {
            throw new IOException(command + " exited with " + p.exitValue() + ":\n" + Files.readString(log));
        }
    }

    /** A port that was free on 127.0.0.1 a moment ago. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** The {@code java} of the JVM running the tests. */
    public static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** A system property naming a folder that the build unpacked, failing clearly when it is missing. */
    public static Path unpacked(String property) {
        String value = System.getProperty(property);
        if (value == null || !Files.isDirectory(Path.of(value))) {
            throw new IllegalStateException("system property " + property + " does not name an unpacked distribution ("
                    + value + "): run the tests through Maven, which unpacks it");
        }
        return Path.of(value);
    }

    private void awaitHealthy() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IOException(name + " exited with " + process.exitValue() + " while starting:\n" + logText());
            }
            if (healthStatus() == 200) {
                return;
            }
            if (logText().contains("Address already in use")) {
                throw new PortTakenException(name + " could not listen on the port of " + baseUrl + ":\n" + logText());
            }
            if (System.nanoTime() > deadline) {
                throw new IOException(name + " did not answer " + baseUrl + "/api/health within " + STARTUP + ":\n"
                        + logText());
            }
            // polling a condition with a deadline: the container gives no other signal that it is ready
            TimeUnit.MILLISECONDS.sleep(250);
        }
    }

    private int healthStatus() {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(baseUrl + "/api/health").toURL().openConnection();
            c.setConnectTimeout(2_000);
            c.setReadTimeout(5_000);
            try {
                return c.getResponseCode();
            } finally {
                c.disconnect();
            }
        } catch (IOException e) {
            return -1;
        }
    }

    /** Everything the container printed so far. */
    public String logText() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** The container's process, for tests that check it is gone. */
    public Process process() {
        return process;
    }

    @Override
    public String baseUrl() {
        return baseUrl;
    }

    @Override
    public void join() throws InterruptedException {
        process.waitFor();
    }

    /** SIGTERM, then a kill of the process and its descendants if it has not exited within a minute. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<ProcessHandle> descendants = new ArrayList<>(process.descendants().toList());
        try {
            process.destroy();
            if (!process.waitFor(SHUTDOWN.toSeconds(), TimeUnit.SECONDS)) {
                descendants.forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(SHUTDOWN.toSeconds(), TimeUnit.SECONDS);
                throw new IllegalStateException(name + " did not stop on SIGTERM within " + SHUTDOWN + ":\n" + logText());
            }
            for (ProcessHandle d : descendants) {
                if (d.isAlive()) {
                    d.destroyForcibly();
                    throw new IllegalStateException(name + " left process " + d.pid() + " running");
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            Folders.deleteTree(scratch);
        }
    }

    @Override
    public String toString() {
        return name + " at " + baseUrl;
    }
}
