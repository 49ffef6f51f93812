package org.jsio.testing.node;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonWriter;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * Runs the official JavaScript client ({@code socket.io-client} under Node.js) so a test can
 * script it: every method sends one command line to {@code driver.js}, and everything the client
 * sees comes back as a JSON report that {@link #await} and friends pick up.
 *
 * <pre>{@code
 * try (NodeClient node = NodeClient.start()) {
 *     node.connect("c1", baseUrl + "/custom", "{\"transports\":[\"websocket\"],\"auth\":{\"token\":\"x\"}}");
 *     String sid = node.awaitConnect("c1", NodeClient.TIMEOUT).get("sid").getAsString();
 *     JsonArray reply = node.call("c1", "echo", NodeClient.TIMEOUT, "hi", new byte[] {1, 2});
 *     node.disconnect("c1");
 *     node.awaitType("disconnect", "c1", NodeClient.TIMEOUT);
 * }
 * }</pre>
 *
 * <p>Binary values ({@code byte[]}) travel as {@code {"$bin":"<base64>"}} anywhere inside args,
 * both ways; {@link #bytes(JsonElement)} turns one back into bytes.
 *
 * <p>The folder holding {@code driver.js} and its {@code node_modules} is the system property
 * {@value #NODE_DIR_PROPERTY}, or else {@code src-test-fixtures/node} found from the working
 * directory upwards. Setting {@value #DEBUG_PROPERTY} (for example to {@code socket.io-client:*,engine.io-client:*})
 * passes it to the client as {@code DEBUG}; its log then shows up in failure messages.
 */
public final class NodeClient implements AutoCloseable {

    /** System property naming the folder that holds {@code driver.js} and {@code node_modules}. */
    public static final String NODE_DIR_PROPERTY = "jsio.node.dir";
    /** System property passed to Node.js as the {@code DEBUG} environment variable. */
    public static final String DEBUG_PROPERTY = "jsio.node.debug";
    /** A generous default for waits in tests. */
    public static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static final int STDERR_LIMIT = 64 * 1024;
    private static final int HISTORY_IN_MESSAGES = 40;

    private static final Gson GSON = new GsonBuilder()
            .serializeNulls()
            .disableHtmlEscaping()
            .registerTypeAdapter(byte[].class, new BinaryAdapter())
            .create();

    private final Process process;
    private final Writer stdin;
    private final Thread stdoutReader;
    private final Thread stderrReader;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<JsonObject> pending = new ArrayList<>();
    private final List<JsonObject> history = new ArrayList<>();
    private final StringBuilder stderr = new StringBuilder();
    private final AtomicInteger nextSeq = new AtomicInteger(1);
    private boolean stdoutClosed;

    private NodeClient(Process process) {
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.stdoutReader = daemon("node-client-stdout", () -> readReports(process.getInputStream()));
        this.stderrReader = daemon("node-client-stderr", () -> readStderr(process.getErrorStream()));
    }

    /** Starts {@code node driver.js} from {@link #nodeDir()} and waits until the client library is loaded. */
    public static NodeClient start() {
        return start(nodeDir());
    }

    /** Starts {@code node driver.js} from the given folder and waits until the client library is loaded. */
    public static NodeClient start(Path nodeDir) {
        Path driver = nodeDir.resolve("driver.js");
        if (!Files.isRegularFile(driver)) {
            throw new IllegalStateException("no driver.js in " + nodeDir.toAbsolutePath()
                    + " (set -D" + NODE_DIR_PROPERTY + " to src-test-fixtures/node)");
        }
        if (!Files.isRegularFile(nodeDir.resolve("node_modules/socket.io-client/package.json"))) {
            throw new IllegalStateException("socket.io-client is not installed in " + nodeDir.toAbsolutePath()
                    + ": run `npm ci` in that folder (scripts/setup.sh does it)");
        }
        ProcessBuilder builder = new ProcessBuilder(findNode(), driver.toAbsolutePath().toString())
                .directory(nodeDir.toFile());
        String debug = System.getProperty(DEBUG_PROPERTY);
        if (debug != null) {
            builder.environment().put("DEBUG", debug);
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("could not start node: " + e.getMessage(), e);
        }
        NodeClient client = new NodeClient(process);
        try {
            client.awaitType("ready", null, TIMEOUT);
        } catch (RuntimeException | Error e) {
            client.close();
            throw e;
        }
        return client;
    }

    /** The folder holding {@code driver.js}: {@value #NODE_DIR_PROPERTY}, or {@code src-test-fixtures/node} above the working directory. */
    public static Path nodeDir() {
        String configured = System.getProperty(NODE_DIR_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("src-test-fixtures").resolve("node");
            if (Files.isRegularFile(candidate.resolve("driver.js"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("src-test-fixtures/node not found above " + start
                + "; set -D" + NODE_DIR_PROPERTY);
    }

    static String findNode() {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                for (String name : new String[] {"node", "node.exe"}) {
                    Path node = Path.of(dir.isEmpty() ? "." : dir, name);
                    if (Files.isRegularFile(node) && Files.isExecutable(node)) {
                        return node.toString();
                    }
                }
            }
        }
        throw new IllegalStateException("node (Node.js 20 or newer) is not on the PATH");
    }

    // ---------------------------------------------------------------- commands

    /** Sends one raw command object (see {@code driver.js} for the list). */
    public void send(JsonObject command) {
        String line = GSON.toJson(command) + "\n";
        synchronized (stdin) {
            try {
                stdin.write(line);
                stdin.flush();
            } catch (IOException e) {
                throw new IllegalStateException("node driver is not accepting commands ("
                        + e.getMessage() + ")" + diagnostics(), e);
            }
        }
    }

    /** Creates client {@code id} with {@code io(url)}; the outcome is a {@code connect} or {@code connect_error} report. */
    public void connect(String id, String url) {
        connect(id, url, new JsonObject());
    }

    /** Creates client {@code id} with {@code io(url, opts)}, {@code opts} given as JSON text. */
    public void connect(String id, String url, String optsJson) {
        connect(id, url, json(optsJson));
    }

    /** Creates client {@code id} with {@code io(url, opts)}. */
    public void connect(String id, String url, JsonObject opts) {
        JsonObject command = command("connect", id);
        command.addProperty("url", url);
        command.add("opts", opts);
        send(command);
    }

    /** Connects an existing, disconnected client again ({@code socket.connect()}). */
    public void reconnect(String id) {
        send(command("connect", id));
    }

    /** Emits an event without asking for an ack. */
    public void emit(String id, String event, Object... args) {
        JsonObject command = command("emit", id);
        command.addProperty("event", event);
        command.add("args", toJsonArray(args));
        send(command);
    }

    /**
     * Emits an event that asks for an ack, answered within {@code timeout} on the client side;
     * returns the sequence number of the {@code ack} report to {@link #awaitAck} for.
     */
    public int emitWithAck(String id, String event, Duration timeout, Object... args) {
        int seq = nextSeq.getAndIncrement();
        JsonObject command = command("emit", id);
        command.addProperty("event", event);
        command.add("args", toJsonArray(args));
        command.addProperty("ack", true);
        command.addProperty("seq", seq);
        command.addProperty("timeoutMs", timeout.toMillis());
        send(command);
        return seq;
    }

    /** Emits an event, waits for the server's ack and returns its arguments. */
    public JsonArray call(String id, String event, Duration timeout, Object... args) {
        int seq = emitWithAck(id, event, timeout, args);
        return awaitAck(id, seq, timeout.plusSeconds(5)).getAsJsonArray("args");
    }

    /** From now on, answers every ack the server asks for with {@code event} by these values. */
    public void ackWith(String id, String event, Object... values) {
        JsonObject command = command("on", id);
        command.addProperty("event", event);
        command.add("ackWith", toJsonArray(values));
        send(command);
    }

    /** Answers the ack of one reported event (the {@code ackId} of its {@code event} report). */
    public void ack(String id, int ackId, Object... args) {
        JsonObject command = command("ack", id);
        command.addProperty("ackId", ackId);
        command.add("args", toJsonArray(args));
        send(command);
    }

    /** {@code socket.disconnect()}; a {@code disconnect} report follows if it was connected. */
    public void disconnect(String id) {
        send(command("disconnect", id));
    }

    private static JsonObject command(String op, String id) {
        JsonObject command = new JsonObject();
        command.addProperty("op", op);
        if (id != null) {
            command.addProperty("id", id);
        }
        return command;
    }

    // ---------------------------------------------------------------- reports

    /**
     * Waits for the first report, in arrival order, that matches and has not been taken yet, and
     * takes it. Reports that do not match stay available to later waits. Fails with an
     * {@link AssertionError} on timeout, when node has exited, or when the driver reports an
     * {@code error} that the predicate does not accept.
     */
    public JsonObject await(Predicate<JsonObject> predicate, Duration timeout) {
        return await("a matching report", predicate, timeout);
    }

    /** Waits for a report of this {@code type} for client {@code id} ({@code null}: any or none). */
    public JsonObject awaitType(String type, String id, Duration timeout) {
        return await(type + (id == null ? "" : " for " + id),
                r -> type.equals(string(r, "type")) && (id == null || id.equals(string(r, "id"))), timeout);
    }

    /** Waits for the server event {@code event} on client {@code id}; its {@code args} hold the payload. */
    public JsonObject awaitEvent(String id, String event, Duration timeout) {
        return await("event " + event + " for " + id,
                r -> "event".equals(string(r, "type")) && id.equals(string(r, "id"))
                        && event.equals(string(r, "event")), timeout);
    }

    /** Waits for client {@code id} to connect; fails at once if a {@code connect_error} comes first. */
    public JsonObject awaitConnect(String id, Duration timeout) {
        JsonObject report = await("connect for " + id,
                r -> id.equals(string(r, "id"))
                        && ("connect".equals(string(r, "type")) || "connect_error".equals(string(r, "type"))),
                timeout);
        if (!"connect".equals(string(report, "type"))) {
            throw new AssertionError("client " + id + " could not connect: " + report + diagnostics());
        }
        return report;
    }

    /** Waits for the ack with this sequence number; fails if the client gave up waiting for it. */
    public JsonObject awaitAck(String id, int seq, Duration timeout) {
        JsonObject report = await("ack " + seq + " for " + id,
                r -> "ack".equals(string(r, "type")) && id.equals(string(r, "id"))
                        && r.has("seq") && r.get("seq").getAsInt() == seq, timeout);
        if (report.has("error")) {
            throw new AssertionError("ack " + seq + " for " + id + " failed: " + report + diagnostics());
        }
        return report;
    }

    /** Every report received so far, in order, whether taken or not. */
    public List<JsonObject> received() {
        lock.lock();
        try {
            return List.copyOf(history);
        } finally {
            lock.unlock();
        }
    }

    private JsonObject await(String what, Predicate<JsonObject> predicate, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                for (Iterator<JsonObject> it = pending.iterator(); it.hasNext(); ) {
                    JsonObject report = it.next();
                    if (predicate.test(report)) {
                        it.remove();
                        return report;
                    }
                    if ("error".equals(string(report, "type"))) {
                        throw new AssertionError("node driver reported " + report
                                + " while waiting for " + what + diagnostics());
                    }
                }
                if (stdoutClosed) {
                    throw new AssertionError("node exited while waiting for " + what + diagnostics());
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for "
                            + what + diagnostics());
                }
                changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + what, e);
        } finally {
            lock.unlock();
        }
    }

    private static String string(JsonObject report, String member) {
        JsonElement value = report.get(member);
        return value != null && value.isJsonPrimitive() ? value.getAsString() : null;
    }

    // ---------------------------------------------------------------- process

    /** What node has written to stderr so far (the last 64 KiB). */
    public String stderr() {
        synchronized (stderr) {
            return stderr.toString();
        }
    }

    /** Whether the node process is still running. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** The exit code of the node process; throws {@link IllegalThreadStateException} while it runs. */
    public int exitValue() {
        return process.exitValue();
    }

    /** Asks the driver to disconnect everything and exit, then makes sure the process has ended. */
    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                send(command("close", null));
                stdin.close();
            } catch (IllegalStateException | IOException ignored) {
                // already going away; destroy below
            }
        }
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
            stdoutReader.join(TimeUnit.SECONDS.toMillis(5));
            stderrReader.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private String diagnostics() {
        StringBuilder text = new StringBuilder();
        List<JsonObject> all = received();
        text.append("\n--- reports received (").append(all.size()).append("):");
        for (JsonObject report : all.subList(Math.max(0, all.size() - HISTORY_IN_MESSAGES), all.size())) {
            text.append("\n  ").append(report);
        }
        if (!process.isAlive()) {
            text.append("\n--- node exited with code ").append(process.exitValue());
        }
        String err = stderr();
        text.append("\n--- node stderr:").append(err.isEmpty() ? " (empty)" : "\n" + err);
        return text.toString();
    }

    private void readReports(InputStream in) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) {
                if (line.isBlank()) {
                    continue;
                }
                JsonObject report;
                try {
                    report = JsonParser.parseString(line).getAsJsonObject();
                } catch (JsonParseException | IllegalStateException e) {
                    appendStderr("[stdout, not a report] " + line + "\n");
                    continue;
                }
                lock.lock();
                try {
                    history.add(report);
                    pending.add(report);
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        } catch (IOException e) {
            appendStderr("[reading stdout failed] " + e + "\n");
        } finally {
            lock.lock();
            try {
                stdoutClosed = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private void readStderr(InputStream in) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) {
                appendStderr(line + "\n");
            }
        } catch (IOException e) {
            appendStderr("[reading stderr failed] " + e + "\n");
        }
    }

    private void appendStderr(String text) {
        synchronized (stderr) {
            stderr.append(text);
            if (stderr.length() > STDERR_LIMIT) {
                stderr.delete(0, stderr.length() - STDERR_LIMIT);
            }
        }
    }

    private static Thread daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    // ---------------------------------------------------------------- JSON helpers

    /** Parses JSON object text, for options and expected values. */
    public static JsonObject json(String text) {
        return JsonParser.parseString(text).getAsJsonObject();
    }

    /**
     * Converts a Java value to the driver's JSON: {@link JsonElement}s as they are, {@code byte[]}
     * as {@code {"$bin":"<base64>"}} (also inside maps, lists and objects), everything else the
     * way Gson writes it.
     */
    public static JsonElement toJson(Object value) {
        return value == null ? JsonNull.INSTANCE : GSON.toJsonTree(value);
    }

    /** The bytes of a {@code {"$bin":"<base64>"}} value. */
    public static byte[] bytes(JsonElement value) {
        if (value != null && value.isJsonObject()) {
            JsonObject object = value.getAsJsonObject();
            JsonElement bin = object.get("$bin");
            if (object.size() == 1 && bin != null && bin.isJsonPrimitive()) {
                return Base64.getDecoder().decode(bin.getAsString());
            }
        }
        throw new IllegalArgumentException("not a {\"$bin\":...} value: " + value);
    }

    private static JsonArray toJsonArray(Object[] values) {
        JsonArray array = new JsonArray();
        for (Object value : values) {
            array.add(toJson(value));
        }
        return array;
    }

    private static final class BinaryAdapter extends TypeAdapter<byte[]> {
        @Override
        public void write(JsonWriter out, byte[] value) throws IOException {
            if (value == null) {
                out.nullValue();
                return;
            }
            out.beginObject().name("$bin").value(Base64.getEncoder().encodeToString(value)).endObject();
        }

        @Override
        public byte[] read(JsonReader in) {
            JsonElement element = JsonParser.parseReader(in);
            return element.isJsonNull() ? null : bytes(element);
        }
    }
}
