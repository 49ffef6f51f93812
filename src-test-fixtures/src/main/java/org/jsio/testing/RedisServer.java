package org.jsio.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} for tests, started on {@code 127.0.0.1} on a free port with no
 * persistence and its files in a temporary directory:
 *
 * <pre>{@code
 * try (RedisServer redis = RedisServer.start()) {
 *     SocketIoServer sio = SocketIoServer.builder().clientManager(RedisManager.create(redis.url())).build();
 *     ...
 * }
 * }</pre>
 *
 * <p>The binary is {@code redis-server} on the {@code PATH}, else {@code /usr/bin/redis-server}
 * ({@code scripts/setup.sh} installs Debian's package). {@link #stop()} and {@link #restart()}
 * simulate an outage on the same port.
 */
public final class RedisServer implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    private final String binary;
    private final Path dir;
    private final int port;
    private final List<String> extraArgs;
    private Process process;

    private RedisServer(String binary, Path dir, int port, List<String> extraArgs) {
        this.binary = binary;
        this.dir = dir;
        this.port = port;
        this.extraArgs = extraArgs;
    }

    /** The redis-server binary, or {@code null} when none is installed. */
    public static String findBinary() {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(java.io.File.pathSeparator)) {
                Path p = Path.of(d.isEmpty() ? "." : d, "redis-server");
                if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                    return p.toString();
                }
            }
        }
        Path debian = Path.of("/usr/bin/redis-server");
        return Files.isExecutable(debian) ? debian.toString() : null;
    }

    /** Starts a server on a free port and waits until it answers PING. */
    public static RedisServer start() throws IOException, InterruptedException {
        return start(List.of());
    }

    /**
     * Starts a server on a free port with more settings in redis-server's argument form, such
     * as {@code List.of("--requirepass", "secret")}, and waits until it answers.
     */
    public static RedisServer start(List<String> extraArgs) throws IOException, InterruptedException {
        String binary = findBinary();
        if (binary == null) {
            throw new IllegalStateException("redis-server is not installed (scripts/setup.sh installs it)");
        }
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        RedisServer r = new RedisServer(binary, Files.createTempDirectory("jsio-redis-"), port, List.copyOf(extraArgs));
        try {
            r.launch();
        } catch (IOException | RuntimeException e) {
            r.close();
            throw e;
        }
        return r;
    }

    /** The port it listens on. */
    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:<port>}. */
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Whether the process is running. */
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Stops the server (clients see their connections closed); {@link #restart()} brings it back. */
    public synchronized void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            process = null;
        }
    }

    /** Starts the server again on the same port, empty, and waits until it answers PING. */
    public synchronized void restart() throws IOException, InterruptedException {
        stop();
        launch();
    }

    /** Sends one command (inline form) and returns the first line of the reply. */
    public String command(String... words) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(5000);
            StringBuilder req = new StringBuilder("*").append(words.length).append("\r\n");
            for (String w : words) {
                byte[] b = w.getBytes(StandardCharsets.UTF_8);
                req.append('$').append(b.length).append("\r\n").append(w).append("\r\n");
            }
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) != -1 && c != '\n') {
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            if (line.length() > 0 && line.charAt(0) == '*') {
                // an array: return its elements joined by spaces (bulk strings and integers)
                int n = Integer.parseInt(line.substring(1));
                List<String> items = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    String head = readLine(in);
                    if (head.startsWith("$")) {
                        items.add(readLine(in));
                    } else {
                        items.add(head.substring(1));
                    }
                }
                return String.join(" ", items);
            }
            return line.toString();
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    /** How many subscribers the channel has now ({@code PUBSUB NUMSUB}). */
    public int subscribers(String channel) throws IOException {
        String[] reply = command("PUBSUB", "NUMSUB", channel).split(" ");
        return Integer.parseInt(reply[1]);
    }

    private void launch() throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(binary,
                "--bind", "127.0.0.1",
                "--port", Integer.toString(port),
                "--save", "",
                "--appendonly", "no",
                "--daemonize", "no",
                "--protected-mode", "yes",
                "--dir", dir.toString(),
                "--logfile", dir.resolve("redis.log").toString()));
        cmd.addAll(extraArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectErrorStream(true);
        pb.redirectOutput(dir.resolve("stdout.log").toFile());
        process = pb.start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("redis-server exited with " + process.exitValue() + ": " + log());
            }
            try {
                String reply = command("PING");
                if ("+PONG".equals(reply) || reply.startsWith("-NOAUTH")) {
                    return;
                }
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(20);
        }
        throw new IOException("redis-server did not answer PING within " + START_TIMEOUT + ": " + log(), last);
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("redis.log")) + Files.readString(dir.resolve("stdout.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    /** Stops the server and deletes its directory. */
    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Folders.deleteTree(dir);
        } catch (java.io.UncheckedIOException e) {
            // best effort
        }
    }
}
