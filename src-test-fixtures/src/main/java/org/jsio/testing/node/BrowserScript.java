package org.jsio.testing.node;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a browser script of {@code src-test-fixtures/node} (such as {@code chat-e2e.js}, which checks
 * the example chat) under Node.js. The scripts drive headless Chromium with {@code playwright-core}:
 * Debian's {@code chromium} at {@value #DEFAULT_CHROMIUM}, or the binary named by the environment
 * variable {@value #CHROMIUM_ENV}. Playwright never downloads a browser of its own here.
 *
 * <pre>{@code
 * BrowserScript.Result r = BrowserScript.run("chat-e2e.js", baseUrl, "websocket", screenshots.toString());
 * assertTrue(r.succeeded(), r::describe);
 * JsonObject result = r.json();                 // the script's last JSON line
 * }</pre>
 *
 * <p>A missing Chromium or {@code playwright-core} is an {@link IllegalStateException} that says to
 * run {@code scripts/setup.sh}, so a test fails rather than skips on a machine that lacks them.
 */
public final class BrowserScript {

    /** Environment variable naming the Chromium binary, for this class and for the scripts. */
    public static final String CHROMIUM_ENV = "CHROMIUM";
    /** Where Debian's {@code chromium} package (installed by {@code scripts/setup.sh}) puts the browser. */
    public static final String DEFAULT_CHROMIUM = "/usr/bin/chromium";
    /** How long {@link #run(String, String...)} lets a script run; the scripts bound each of their own waits. */
    public static final Duration TIMEOUT = Duration.ofMinutes(3);

    private static final int OUTPUT_IN_MESSAGES = 8 * 1024;

    private BrowserScript() {
    }

    /** The Chromium binary the scripts will use; fails with what to do when it is not installed. */
    public static Path chromium() {
        String configured = System.getenv(CHROMIUM_ENV);
        Path chromium = Path.of(configured == null || configured.isBlank() ? DEFAULT_CHROMIUM : configured);
        if (!Files.isRegularFile(chromium) || !Files.isExecutable(chromium)) {
            throw new IllegalStateException("Chromium is not installed: no executable " + chromium
                    + ". Run scripts/setup.sh (it installs Debian's chromium), or set " + CHROMIUM_ENV
                    + " to a Chromium binary.");
        }
        return chromium;
    }

    /** Runs {@code node SCRIPT ARGS...} in {@link NodeClient#nodeDir()}, for at most {@link #TIMEOUT}. */
    public static Result run(String script, String... args) {
        return run(NodeClient.nodeDir(), script, TIMEOUT, args);
    }

    /**
     * Runs {@code node SCRIPT ARGS...} in {@code nodeDir} and returns its exit code and output. A
     * script still running after {@code timeout} is ended with the browsers it started, and its
     * result says so.
     */
    public static Result run(Path nodeDir, String script, Duration timeout, String... args) {
        Path file = nodeDir.resolve(script);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("no " + script + " in " + nodeDir.toAbsolutePath());
        }
        if (!Files.isRegularFile(nodeDir.resolve("node_modules/playwright-core/package.json"))) {
            throw new IllegalStateException("playwright-core is not installed in " + nodeDir.toAbsolutePath()
                    + ": run scripts/setup.sh (it runs `npm ci` there)");
        }
        Path chromium = chromium();
        List<String> command = new ArrayList<>(List.of(NodeClient.findNode(), file.toAbsolutePath().toString()));
        command.addAll(List.of(args));
        Path stdout = null;
        Path stderr = null;
        try {
            stdout = Files.createTempFile("browser-script-", ".out");
            stderr = Files.createTempFile("browser-script-", ".err");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(nodeDir.toFile())
                    .redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile());
            builder.environment().put(CHROMIUM_ENV, chromium.toString());
            Process process = builder.start();
            boolean finished;
            try {
                finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                end(process);
                throw new IllegalStateException("interrupted while " + script + " ran", e);
            }
            if (!finished) {
                end(process);
            }
            return new Result(script, finished ? process.exitValue() : -1, !finished,
                    Files.readString(stdout, StandardCharsets.UTF_8), Files.readString(stderr, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + script, e);
        } finally {
            deleteQuietly(stdout);
            deleteQuietly(stderr);
        }
    }

    /** Kills the script and the browser processes it started, and waits until they are gone. */
    private static void end(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.onExit().join();
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // a temporary file left behind is no reason to fail a test
            }
        }
    }

    /**
     * What a script did.
     *
     * @param script   the script's file name
     * @param exitCode its exit code, {@code -1} when it was ended after the timeout
     * @param timedOut whether it was ended after the timeout
     * @param stdout   everything it printed on standard output
     * @param stderr   everything it printed on standard error
     */
    public record Result(String script, int exitCode, boolean timedOut, String stdout, String stderr) {

        /** Whether the script ended by itself with exit code 0. */
        public boolean succeeded() {
            return !timedOut && exitCode == 0;
        }

        /** The last line of standard output that is a JSON object (the scripts' result line), or {@code null}. */
        public JsonObject json() {
            String[] lines = stdout.split("\n");
            for (int i = lines.length - 1; i >= 0; i--) {
                String line = lines[i].strip();
                if (line.startsWith("{")) {
                    try {
                        JsonElement parsed = JsonParser.parseString(line);
                        if (parsed.isJsonObject()) {
                            return parsed.getAsJsonObject();
                        }
                    } catch (JsonParseException e) {
                        // not the result line
                    }
                }
            }
            return null;
        }

        /** For failure messages: how the script ended, the error it reported, and the end of its output. */
        public String describe() {
            StringBuilder sb = new StringBuilder(script);
            sb.append(timedOut ? " was still running at its timeout and was ended" : " exited with " + exitCode);
            JsonObject json = json();
            if (json != null && json.has("error")) {
                sb.append(": ").append(json.get("error").isJsonPrimitive()
                        ? json.get("error").getAsString() : json.get("error").toString());
            }
            sb.append("\n--- stdout\n").append(tail(stdout)).append("\n--- stderr\n").append(tail(stderr));
            return sb.toString();
        }

        private static String tail(String s) {
            return s.length() <= OUTPUT_IN_MESSAGES ? s : "…" + s.substring(s.length() - OUTPUT_IN_MESSAGES);
        }
    }
}
