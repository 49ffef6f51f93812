package org.jsio.bench;

import com.google.gson.GsonBuilder;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The load generator: many protocol-level clients ({@link BenchClient}) in one process, driving
 * one scenario against one server and reporting what it measured, its own CPU use included.
 *
 * <p>Scenarios:
 * <ul>
 *   <li>{@code echo}: every client sends {@code echo} with an acknowledgement id and sends the next
 *       one as soon as the acknowledgement arrives (closed loop); acks/s and latency;
 *   <li>{@code bcast}: client 0 sends {@code bcast} carrying the send time, every client (the
 *       sender too) receives it; deliveries/s and fan-out latency, at a fixed rate of deliveries
 *       ({@code rate}) or as fast as the server delivers them ({@code rate 0}: at most
 *       {@code window} broadcasts in flight);
 *   <li>{@code connect}: opens the clients ({@code concurrency} handshakes at a time), pausing at
 *       each checkpoint so that the server's memory can be read, then holds them idle for
 *       {@code hold} seconds answering heartbeats; connections/s, pings answered, disconnects.
 *       When a whole window of handshakes goes unanswered ({@code concurrency} clients, each
 *       given 30 s) it stops connecting and reports how many clients it has.
 * </ul>
 *
 * <p>From the command line (the harness runs it in a process of its own):
 * {@code LoadGenerator --target http://127.0.0.1:PORT[,http://127.0.0.1:PORT2...] --transport websocket|polling|raw --scenario
 * echo|bcast|connect [--clients N] [--warmup S] [--duration S] [--rate N] [--window N] [--hold S]
 * [--checkpoints N,N] [--concurrency N] [--payload TEXT] [--io-threads N] [--samples FILE] [--interactive]}.
 * It prints {@code phase ready N} once the echo clients are connected, {@code phase connected N} at
 * the connect scenario's checkpoints (after each of these two, with {@code --interactive}, it waits
 * for a line on standard input before going on: several generator processes then start their load
 * together), {@code phase measure} and {@code phase end} around the measured interval, and finally
 * {@code result {JSON}}. With {@code --samples}, the latencies measured in the interval are also
 * written to FILE, sorted, as 8-byte big-endian microseconds, so that the samples of several
 * processes can be merged ({@link #readSamples}).
 */
public final class LoadGenerator {

    /** What to run. Mutable, filled from flags or by tests. */
    public static final class Config {
        /**
         * {@code http://127.0.0.1:PORT} of the server, or several separated by commas (nodes of one
         * cluster): client {@code i} connects to the {@code i % n}-th, so client 0, the sender of
         * broadcasts, is on the first.
         */
        public String target;
        /** {@code websocket}, {@code polling} (Socket.IO) or {@code raw} ({@link RawServer}). */
        public String transport = "websocket";
        /** {@code echo}, {@code bcast} or {@code connect}. */
        public String scenario = "echo";
        /** Number of clients. */
        public int clients = 50;
        /** Seconds of load before measuring. */
        public double warmup = 2;
        /** Seconds measured. */
        public double duration = 10;
        /** bcast: deliveries per second to aim at; 0 = as many as the server delivers. */
        public int rate;
        /** bcast at full rate: broadcasts in flight. */
        public int window = 4;
        /** connect: seconds to hold the idle clients after the last checkpoint. */
        public double hold;
        /** connect: client counts at which to pause and report (the last is {@link #clients}). */
        public List<Integer> checkpoints = new ArrayList<>();
        /** connect: handshakes in flight at once. */
        public int concurrency = 200;
        /** Event loop threads (each serves a share of the clients, WebSocket or polling). */
        public int ioThreads = 1;
        /** Seconds a client may take to connect before it counts as failed. */
        public int connectTimeoutSeconds = 30;
        /** echo: the string argument sent and expected back. */
        public String payload = "hello";
        /** Where to write the measured latencies ({@code --samples}); none when null. */
        public Path samples;
        /** Called with each phase line ({@code ready N}, {@code measure}, {@code end}, {@code connected N}). */
        public Consumer<String> phases = p -> { };
        /** Called after the {@code ready} and each {@code connected} phase; returns when the generator may go on. */
        public Runnable awaitContinue = () -> { };
    }

    private final Config config;
    private final boolean sio;
    private final List<IoLoop> loops = new ArrayList<>();
    private final List<BenchClient> clients = new ArrayList<>();
    private final LongAdder sent = new LongAdder();
    private final LongAdder received = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final AtomicLong disconnects = new AtomicLong();
    private final AtomicInteger readyClients = new AtomicInteger();
    private final AtomicInteger timeouts = new AtomicInteger();
    private final AtomicLong broadcastsSent = new AtomicLong();
    private volatile boolean recording;
    private volatile boolean stopping;
    private volatile String firstError;

    private LoadGenerator(Config config) {
        this.config = config;
        this.sio = !"raw".equals(config.transport);
        for (int i = 0; i < Math.max(1, config.ioThreads); i++) {
            try {
                loops.add(new IoLoop("generator-io-" + i));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /** Runs {@code config} to its end and returns what was measured (a JSON-friendly map). */
    public static Map<String, Object> run(Config config) throws Exception {
        LoadGenerator g = new LoadGenerator(config);
        try {
            switch (config.scenario) {
                case "echo":
                    return g.echo();
                case "bcast":
                    return g.bcast();
                case "connect":
                    return g.connect();
                default:
                    throw new IllegalArgumentException("unknown scenario " + config.scenario);
            }
        } finally {
            g.shutdown();
        }
    }

    private String target(int index) {
        String[] targets = config.target.split(",");
        return targets[index % targets.length].trim();
    }

    private BenchClient newClient(int index, BenchClient.Listener listener) {
        BenchClient.Listener counting = new BenchClient.Listener() {
            @Override
            public void onMessage(BenchClient client, String message) {
                listener.onMessage(client, message);
            }

            @Override
            public void onClosed(BenchClient client, String why) {
                if (!stopping) {
                    disconnects.incrementAndGet();
                    error(why);
                }
            }
        };
        switch (config.transport) {
            case "websocket":
                return new BenchClient.SioWebSocket(index, counting, loops.get(index % loops.size()), target(index));
            case "polling":
                return new BenchClient.SioPolling(index, counting, loops.get(index % loops.size()), target(index));
            case "raw":
                return new BenchClient.Raw(index, counting, loops.get(index % loops.size()), target(index));
            default:
                throw new IllegalArgumentException("unknown transport " + config.transport);
        }
    }

    private void error(String what) {
        errors.increment();
        if (firstError == null) {
            firstError = what;
        }
    }

    /** Connects {@code n} clients, {@code concurrency} at a time; returns how many are ready. */
    private int connectAll(int n, BenchClient.Listener listener) throws InterruptedException {
        Semaphore slots = new Semaphore(config.concurrency);
        for (int i = clients.size(); i < n; i++) {
            slots.acquire();
            if (timeouts.get() >= config.concurrency) {
                // a window's worth of handshakes went unanswered: the server takes no more clients
                slots.release();
                break;
            }
            BenchClient c = newClient(i, listener);
            clients.add(c);
            c.connect().orTimeout(config.connectTimeoutSeconds, TimeUnit.SECONDS).whenComplete((x, e) -> {
                if (e == null) {
                    readyClients.incrementAndGet();
                } else {
                    if (e instanceof java.util.concurrent.TimeoutException) {
                        timeouts.incrementAndGet();
                        error("connect: no answer within " + config.connectTimeoutSeconds + " s");
                    } else {
                        error("connect: " + e.getMessage());
                    }
                    c.close();
                }
                slots.release();
            });
        }
        slots.acquire(config.concurrency);
        slots.release(config.concurrency);
        return readyClients.get();
    }

    private Map<String, Object> echo() throws Exception {
        String expectSuffix = sio ? "[\"" + config.payload + "\"]" : "," + config.payload;
        BenchClient.Listener listener = (c, m) -> {
            long now = System.nanoTime();
            long id = c.nextId - 1;
            String prefix = (sio ? "3" : "e") + id;
            if (!m.startsWith(prefix) || !m.endsWith(expectSuffix)
                    || m.length() != prefix.length() + expectSuffix.length()) {
                error("unexpected answer to echo " + id + ": " + m);
                return;
            }
            received.increment();
            if (recording) {
                c.latencies.add((now - c.sentAt) / 1000);
                c.windowOps++;
            }
            sendEcho(c);
        };
        int ready = connectAll(config.clients, listener);
        config.phases.accept("ready " + ready);
        config.awaitContinue.run();
        for (BenchClient c : clients) {
            if (c.ready.isDone() && !c.ready.isCompletedExceptionally()) {
                sendEcho(c);
            }
        }
        Window w = measure();
        drain(() -> sent.sum() == received.sum());
        Map<String, Object> r = w.resultOfClients();
        r.put("clientsReady", ready);
        return r;
    }

    private void sendEcho(BenchClient c) {
        if (stopping) {
            return;
        }
        long id = c.nextId++;
        c.sentAt = System.nanoTime();
        sent.increment();
        c.send(sio ? "2" + id + "[\"echo\",\"" + config.payload + "\"]" : "e" + id + "," + config.payload);
    }

    private Map<String, Object> bcast() throws Exception {
        String prefix = sio ? "2[\"bcast\",\"t" : "bt";
        int n = config.clients;
        BenchClient.Listener listener = (c, m) -> {
            long now = System.nanoTime();
            if (!m.startsWith(prefix)) {
                error("unexpected message: " + m);
                return;
            }
            long at;
            try {
                at = Long.parseLong(m.substring(prefix.length(), sio ? m.length() - 2 : m.length()));
            } catch (RuntimeException e) {
                error("unexpected broadcast: " + m);
                return;
            }
            received.increment();
            c.deliveries++;
            if (recording) {
                c.latencies.add((now - at) / 1000);
                c.windowOps++;
            }
            if (config.rate <= 0) {
                sendBroadcastsInWindow(n);
            }
        };
        int ready = connectAll(n, listener);
        if (ready < n) {
            throw new IllegalStateException("only " + ready + " of " + n + " clients connected: " + firstError);
        }
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        ScheduledFuture<?> ticks = null;
        try {
            if (config.rate > 0) {
                long periodNanos = Math.max(1, (long) (1e9 * n / config.rate));
                ticks = timer.scheduleAtFixedRate(() -> sendBroadcast(), 0, periodNanos, TimeUnit.NANOSECONDS);
            } else {
                sendBroadcastsInWindow(n);
            }
            Window w = measure();
            if (ticks != null) {
                ticks.cancel(false);
            }
            drain(() -> received.sum() >= broadcastsSent.get() * n);
            Map<String, Object> r = w.resultOfClients();
            r.put("broadcasts", broadcastsSent.get());
            r.put("deliveriesExpected", broadcastsSent.get() * n);
            r.put("deliveriesReceived", received.sum());
            long least = Long.MAX_VALUE;
            long most = 0;
            for (BenchClient c : clients) {
                least = Math.min(least, c.deliveries);
                most = Math.max(most, c.deliveries);
            }
            r.put("leastDeliveriesToOneClient", least);
            r.put("mostDeliveriesToOneClient", most);
            return r;
        } finally {
            timer.shutdownNow();
        }
    }

    private void sendBroadcastsInWindow(int n) {
        while (!stopping) {
            long s = broadcastsSent.get();
            if (s * n - received.sum() >= (long) config.window * n) {
                return;
            }
            if (broadcastsSent.compareAndSet(s, s + 1)) {
                sendBroadcastPayload();
            }
        }
    }

    private void sendBroadcast() {
        if (!stopping) {
            broadcastsSent.incrementAndGet();
            sendBroadcastPayload();
        }
    }

    private void sendBroadcastPayload() {
        sent.increment();
        long now = System.nanoTime();
        clients.get(0).send(sio ? "2[\"bcast\",\"t" + now + "\"]" : "bt" + now);
    }

    private Map<String, Object> connect() throws Exception {
        BenchClient.Listener listener = (c, m) -> error("unexpected message: " + m);
        List<Integer> checkpoints = new ArrayList<>(config.checkpoints);
        checkpoints.removeIf(cp -> cp >= config.clients || cp <= 0);
        checkpoints.add(config.clients);
        double cpu0 = ProcStats.cpuSeconds(ProcessHandle.current().pid());
        long connectNanos = 0;
        for (int cp : checkpoints) {
            long t0 = System.nanoTime();
            connectAll(cp, listener);
            connectNanos += System.nanoTime() - t0;
            config.phases.accept("connected " + readyClients.get());
            config.awaitContinue.run();
        }
        double cpuConnect = ProcStats.cpuSeconds(ProcessHandle.current().pid()) - cpu0;
        long pings0 = totalPings();
        long disconnects0 = disconnects.get();
        double holdStart = System.nanoTime();
        if (config.hold > 0) {
            Thread.sleep((long) (config.hold * 1000));
        }
        double holdSeconds = (System.nanoTime() - holdStart) / 1e9;
        int pinged = 0;
        for (BenchClient c : clients) {
            if (c.pings > 0) {
                pinged++;
            }
        }
        Map<String, Object> r = new LinkedHashMap<>();
        double seconds = connectNanos / 1e9;
        r.put("clients", config.clients);
        r.put("clientsReady", readyClients.get());
        r.put("connectSeconds", seconds);
        r.put("opsPerSec", readyClients.get() / seconds);
        r.put("generatorCpuPct", 100 * cpuConnect / seconds);
        r.put("holdSeconds", holdSeconds);
        r.put("pingsDuringHold", totalPings() - pings0);
        r.put("clientsPinged", pinged);
        r.put("disconnectsDuringHold", disconnects.get() - disconnects0);
        r.put("errors", errors.sum());
        r.put("firstError", firstError);
        return r;
    }

    private long totalPings() {
        long p = 0;
        for (BenchClient c : clients) {
            p += c.pings;
        }
        return p;
    }

    /** Warms up, then measures for the configured duration; sending stops at the end. */
    private Window measure() throws InterruptedException {
        if (config.warmup > 0) {
            Thread.sleep((long) (config.warmup * 1000));
        }
        long pid = ProcessHandle.current().pid();
        config.phases.accept("measure");
        Window w = new Window();
        w.cpu0 = ProcStats.cpuSeconds(pid);
        w.t0 = System.nanoTime();
        recording = true;
        Thread.sleep((long) (config.duration * 1000));
        recording = false;
        w.t1 = System.nanoTime();
        w.cpu1 = ProcStats.cpuSeconds(pid);
        stopping = true;
        config.phases.accept("end");
        return w;
    }

    /** Waits (at most 10 s) for the answers still in flight. */
    private void drain(java.util.function.BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!done.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    private final class Window {
        long t0;
        long t1;
        double cpu0;
        double cpu1;

        /**
         * {@link #result} with the operations and latencies the clients counted in the window; the
         * latencies also go to {@link Config#samples} when it is set.
         */
        Map<String, Object> resultOfClients() throws IOException {
            long ops = 0;
            List<Latencies> parts = new ArrayList<>();
            for (BenchClient c : clients) {
                ops += c.windowOps;
                parts.add(c.latencies);
            }
            long[] sorted = Latencies.merged(parts);
            if (config.samples != null) {
                writeSamples(config.samples, sorted);
            }
            return result(ops, sorted);
        }

        Map<String, Object> result(long ops, long[] sortedMicros) {
            double seconds = (t1 - t0) / 1e9;
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("clients", config.clients);
            r.put("seconds", seconds);
            r.put("ops", ops);
            r.put("opsPerSec", ops / seconds);
            r.put("p50Micros", Latencies.percentile(sortedMicros, 50));
            r.put("p99Micros", Latencies.percentile(sortedMicros, 99));
            r.put("generatorCpuPct", 100 * (cpu1 - cpu0) / seconds);
            r.put("sent", sent.sum());
            r.put("httpRequests", BenchClient.SioPolling.REQUESTS.sum());
            r.put("received", received.sum());
            r.put("disconnects", disconnects.get());
            r.put("errors", errors.sum());
            r.put("firstError", firstError);
            return r;
        }
    }

    /** Writes {@code micros} as 8-byte big-endian values. */
    static void writeSamples(Path file, long[] micros) throws IOException {
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
            for (long v : micros) {
                out.writeLong(v);
            }
        }
    }

    /** The samples {@link #writeSamples} wrote to {@code file}. */
    static long[] readSamples(Path file) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file));
        long[] micros = new long[bytes.remaining() / Long.BYTES];
        bytes.asLongBuffer().get(micros);
        return micros;
    }

    private void shutdown() {
        stopping = true;
        for (BenchClient c : clients) {
            try {
                c.close();
            } catch (RuntimeException e) {
                // closing is best effort
            }
        }
        loops.forEach(IoLoop::close);
    }

    /** Command line entry point; see the class comment. */
    public static void main(String[] args) throws Exception {
        Config c = new Config();
        boolean interactive = false;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if ("--interactive".equals(a)) {
                    interactive = true;
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("missing value after " + a);
                }
                String v = args[++i];
                switch (a) {
                    case "--target" -> c.target = v;
                    case "--transport" -> c.transport = v;
                    case "--scenario" -> c.scenario = v;
                    case "--clients" -> c.clients = Integer.parseInt(v);
                    case "--warmup" -> c.warmup = Double.parseDouble(v);
                    case "--duration" -> c.duration = Double.parseDouble(v);
                    case "--rate" -> c.rate = Integer.parseInt(v);
                    case "--window" -> c.window = Integer.parseInt(v);
                    case "--hold" -> c.hold = Double.parseDouble(v);
                    case "--concurrency" -> c.concurrency = Integer.parseInt(v);
                    case "--payload" -> c.payload = v;
                    case "--io-threads" -> c.ioThreads = Integer.parseInt(v);
                    case "--samples" -> c.samples = Path.of(v);
                    case "--checkpoints" -> {
                        for (String s : v.split(",")) {
                            c.checkpoints.add(Integer.parseInt(s.trim()));
                        }
                    }
                    default -> throw new IllegalArgumentException("unknown flag " + a);
                }
            }
            if (c.target == null) {
                throw new IllegalArgumentException("--target is required");
            }
        } catch (IllegalArgumentException e) {
            usage(System.err, e.getMessage());
            System.exit(2);
            return;
        }
        PrintStream out = System.out;
        c.phases = p -> {
            out.println("phase " + p);
            out.flush();
        };
        if (interactive) {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            c.awaitContinue = () -> {
                try {
                    in.readLine();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            };
        }
        Map<String, Object> result = run(c);
        out.println("result " + new GsonBuilder().serializeNulls().create().toJson(result));
        out.flush();
        System.exit(0);
    }

    private static void usage(PrintStream out, String problem) {
        out.println("load generator: " + problem);
        out.println("usage: LoadGenerator --target http://127.0.0.1:PORT --transport websocket|polling|raw");
        out.println("         --scenario echo|bcast|connect [--clients N] [--warmup S] [--duration S]");
        out.println("         [--rate N] [--window N] [--hold S] [--checkpoints N,N] [--concurrency N]");
        out.println("         [--payload TEXT] [--io-threads N] [--samples FILE] [--interactive]");
    }
}
