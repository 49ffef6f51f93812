package org.jsio.bench;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.reflect.TypeToken;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jsio.manager.Manager;
import org.jsio.testing.RedisServer;

/**
 * The benchmark harness: starts each server in a process of its own on {@code 127.0.0.1}, drives
 * it with the {@link LoadGenerator} in another process, reads the server's CPU time and memory from
 * {@code /proc} (and its heap with {@code jcmd}), and writes a Markdown report with medians,
 * min-max ranges and ratios to the Node.js reference server measured in the same run.
 *
 * <p>Servers are measured interleaved: for each scenario, repeat {@code r} runs the servers in
 * the order rotated by {@code r} (A B C D, then B C D A, ...). Each measurement gets a freshly
 * started server.
 *
 * <p>{@code Bench [--root DIR] [--servers jetty,tomcat,node,raw-jetty,raw-tomcat]
 * [--scenarios echo-ws,echo-polling,bcast-max,bcast-rate,connect-5k,connect-20k,bcast-2node] [--warmup S]
 * [--duration S] [--repeats N] [--hold S] [--bcast-rate N] [--bcast-clients N] [--out FILE]
 * [--server-jvm-opts "..."] [--generator-jvm-opts "..."] [--generators N] [--jfr DIR]}; {@code --jfr}
 * records a Flight Recorder profile of each Java server into DIR (read it with {@link JfrHotMethods}).
 *
 * <p>The echo scenarios' 50 clients are shared between {@code --generators} processes (2 by
 * default), which connect their clients, then start their load together; their rates, CPU and
 * latency samples are added up. The other scenarios have one generator process.
 *
 * <p>{@code bcast-2node} runs two processes of the same server joined through a
 * {@code redis-server} the harness starts for each measurement on {@code 127.0.0.1} (a free port,
 * no persistence): ours with {@code SOCKETIO_REDIS_URL} ({@code RedisManager}), Node.js with the
 * official {@code @socket.io/redis-adapter}. Clients alternate between the two nodes, the sender is
 * on the first, and server CPU is summed over both processes.
 */
public final class Bench {
    /** Every server the harness knows, in the default order. */
    static final List<String> ALL_SERVERS = List.of("jetty", "tomcat", "node", "raw-jetty", "raw-tomcat");
    /** Every scenario the harness knows, in the default order. */
    static final List<String> ALL_SCENARIOS =
            List.of("echo-ws", "echo-polling", "bcast-max", "bcast-rate", "connect-5k", "connect-20k", "bcast-2node");
    /** Clients of the echo scenarios, shared between the generator processes. */
    static final int ECHO_CLIENTS = 50;
    private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");
    private static final Gson GSON = new GsonBuilder().serializeNulls().setPrettyPrinting().create();

    /** The harness's settings. */
    static final class Options {
        Path root = Path.of("").toAbsolutePath();
        List<String> servers = new ArrayList<>(ALL_SERVERS);
        List<String> scenarios = new ArrayList<>(ALL_SCENARIOS);
        double warmup = 5;
        double duration = 20;
        int repeats = 3;
        double hold = 35;
        int bcastRate = 20_000;
        int bcastClients = 1_000;
        Path out;
        List<String> serverJvmOpts = List.of("-Xmx2g");
        List<String> generatorJvmOpts = List.of("-Xmx3g");
        int generators = 2;
        String classPath = System.getProperty("java.class.path");
        Path jfrDir;
        String commandLine = "";
    }

    /** One measurement of one server in one scenario. */
    static final class Measurement {
        String server;
        int repeat;
        Map<String, Object> generator = new LinkedHashMap<>();
        double serverCpuSeconds = -1;
        double serverCpuMicrosPerOp = -1;
        List<long[]> memory = new ArrayList<>(); // {clients, rssKiB, heapKiB or -1, cpuMs before, cpuMs after}
        Double rssKibPerClient;
        Double heapKibPerClient;
        String error;

        double ops() {
            Object v = generator.get("opsPerSec");
            return v instanceof Number n ? n.doubleValue() : Double.NaN;
        }
    }

    private final Options options;
    private final PrintStream log;
    private final Map<String, Map<String, List<Measurement>>> results = new LinkedHashMap<>();
    private final Path logDir;

    Bench(Options options, PrintStream log) throws IOException {
        this.options = options;
        this.log = log;
        this.logDir = options.out.toAbsolutePath().getParent().resolve("bench-logs");
        Files.createDirectories(logDir);
    }

    /** Runs every scenario and writes the report; returns the results by scenario and server. */
    Map<String, Map<String, List<Measurement>>> run() throws Exception {
        String started = ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        String loadBefore = readFirstLine("/proc/loadavg");
        for (String scenario : options.scenarios) {
            List<String> servers = new ArrayList<>();
            for (String s : options.servers) {
                if (applies(scenario, s)) {
                    servers.add(s);
                }
            }
            Map<String, List<Measurement>> byServer = new LinkedHashMap<>();
            servers.forEach(s -> byServer.put(s, new ArrayList<>()));
            results.put(scenario, byServer);
            for (int r = 0; r < options.repeats; r++) {
                for (int i = 0; i < servers.size(); i++) {
                    String server = servers.get((i + r) % servers.size());
                    log.printf(Locale.ROOT, "bench: %s, repeat %d/%d, %s%n", scenario, r + 1, options.repeats, server);
                    Measurement m = measure(scenario, server);
                    m.repeat = r + 1;
                    byServer.get(server).add(m);
                    log.println("bench:   " + summary(scenario, m));
                }
            }
        }
        String loadAfter = readFirstLine("/proc/loadavg");
        Files.writeString(options.out, new Report(options, results, started, loadBefore, loadAfter).markdown());
        Path json = Path.of(options.out.toString().replaceFirst("\\.md$", "") + ".json");
        Files.writeString(json, GSON.toJson(results));
        log.println("bench: wrote " + options.out + " and " + json);
        return results;
    }

    static boolean applies(String scenario, String server) {
        if (scenario.equals("echo-polling")) {
            return !server.startsWith("raw-");
        }
        if (scenario.equals("bcast-2node")) {
            return !server.startsWith("raw-");
        }
        return true;
    }

    private static String summary(String scenario, Measurement m) {
        if (m.error != null) {
            return "FAILED: " + m.error;
        }
        String lost = m.generator.containsKey("deliveriesExpected")
                ? String.format(Locale.ROOT, ", lost %.0f", Report.lostDeliveries(m)) : "";
        return String.format(Locale.ROOT, "%.0f ops/s, p50 %s us, p99 %s us, server %.1f us/op, generator %.0f%% CPU%s%s",
                m.ops(), m.generator.get("p50Micros"), m.generator.get("p99Micros"), m.serverCpuMicrosPerOp,
                num(m.generator.get("generatorCpuPct")),
                m.rssKibPerClient == null ? "" : String.format(Locale.ROOT, ", RSS %.2f KiB/client, heap %s KiB/client",
                        m.rssKibPerClient, m.heapKibPerClient == null ? "-" : String.format(Locale.ROOT, "%.2f", m.heapKibPerClient)),
                lost);
    }

    static double num(Object o) {
        return o instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    /**
     * The generator's arguments for {@code scenario} against {@code server}; in an echo scenario it
     * drives {@code echoClients} of the clients.
     */
    List<String> generatorArgs(String scenario, String server, List<Integer> ports, int echoClients) {
        boolean raw = server.startsWith("raw-");
        List<String> targets = new ArrayList<>();
        ports.forEach(p -> targets.add("http://127.0.0.1:" + p));
        String clients = Integer.toString(options.bcastClients);
        List<String> a = new ArrayList<>(List.of("--target", String.join(",", targets),
                "--transport", raw ? "raw" : "websocket",
                "--warmup", Double.toString(options.warmup), "--duration", Double.toString(options.duration)));
        switch (scenario) {
            case "echo-ws", "echo-polling" -> {
                if (scenario.equals("echo-polling")) {
                    a.set(3, "polling");
                }
                a.addAll(List.of("--scenario", "echo", "--clients", Integer.toString(echoClients)));
            }
            case "bcast-max", "bcast-2node" -> a.addAll(List.of("--scenario", "bcast", "--clients", clients, "--rate", "0"));
            case "bcast-rate" -> a.addAll(List.of("--scenario", "bcast", "--clients", clients,
                    "--rate", Integer.toString(options.bcastRate)));
            case "connect-5k" -> a.addAll(List.of("--scenario", "connect", "--clients", "5000",
                    "--checkpoints", "500", "--hold", "0", "--interactive"));
            case "connect-20k" -> {
                int n = connectClients(20_000);
                a.addAll(List.of("--scenario", "connect", "--clients", Integer.toString(n),
                        "--checkpoints", Integer.toString(n / 10), "--hold", Double.toString(options.hold),
                        "--interactive"));
            }
            default -> throw new IllegalArgumentException("unknown scenario " + scenario);
        }
        return a;
    }

    static boolean isEcho(String scenario) {
        return scenario.startsWith("echo-");
    }

    /**
     * How many generator processes drive {@code scenario}: {@link Options#generators} for the echo
     * scenarios, whose clients are independent of each other; one for the others, whose broadcasts
     * are paced by deliveries to every client, and whose checkpoints count every client.
     */
    int generatorsFor(String scenario) {
        return isEcho(scenario) ? options.generators : 1;
    }

    /** Clients of generator {@code part} of {@code parts} when they share {@code total}. */
    static int share(int total, int part, int parts) {
        return total / parts + (part < total % parts ? 1 : 0);
    }

    private Path samplesFile(String tag, int generator) {
        return logDir.resolve(tag + "-generator" + (generator + 1) + ".samples");
    }

    /** Lets a generator waiting in an {@code --interactive} pause go on (nothing if it has ended). */
    private static void proceed(Process generator) {
        try {
            OutputStream in = generator.getOutputStream();
            in.write('\n');
            in.flush();
        } catch (IOException e) {
            // the generator has ended; the missing result says so
        }
    }

    /**
     * One result for the results of several generator processes that ran at the same time: counts,
     * rates and CPU added up, latency percentiles over all their samples (each sorted).
     */
    static Map<String, Object> combined(List<Map<String, Object>> parts, List<long[]> samples) {
        Map<String, Object> r = new LinkedHashMap<>();
        for (String key : List.of("clients", "clientsReady", "ops", "opsPerSec", "sent", "httpRequests", "received",
                "disconnects", "errors", "generatorCpuPct")) {
            double sum = 0;
            for (Map<String, Object> p : parts) {
                sum += p.get(key) instanceof Number n ? n.doubleValue() : 0;
            }
            r.put(key, sum);
        }
        r.put("seconds", parts.stream().mapToDouble(p -> num(p.get("seconds"))).average().orElse(Double.NaN));
        long[] all = Latencies.mergedSorted(samples);
        r.put("p50Micros", Latencies.percentile(all, 50));
        r.put("p99Micros", Latencies.percentile(all, 99));
        r.put("generators", parts.size());
        r.put("generatorCpuPctEach", parts.stream().map(p -> p.get("generatorCpuPct")).toList());
        r.put("firstError", parts.stream().map(p -> p.get("firstError")).filter(e -> e != null).findFirst().orElse(null));
        return r;
    }

    /**
     * The standard output lines of several generator processes, in the order they come, and for
     * each process a line with null text when its output has ended.
     */
    static final class GeneratorLines {
        record Line(int generator, String text) { }

        private final ArrayBlockingQueue<Line> lines = new ArrayBlockingQueue<>(64);
        private int open;

        GeneratorLines(List<Process> generators) {
            open = generators.size();
            for (int g = 0; g < generators.size(); g++) {
                int index = g;
                BufferedReader out = new BufferedReader(
                        new InputStreamReader(generators.get(g).getInputStream(), StandardCharsets.UTF_8));
                Thread reader = new Thread(() -> {
                    try {
                        for (String text; (text = out.readLine()) != null; ) {
                            lines.put(new Line(index, text));
                        }
                    } catch (IOException e) {
                        // the generator ended
                    } catch (InterruptedException e) {
                        return;
                    }
                    try {
                        lines.put(new Line(index, null));
                    } catch (InterruptedException e) {
                        // the harness gave up waiting
                    }
                }, "generator-" + (g + 1) + "-stdout");
                reader.setDaemon(true);
                reader.start();
            }
        }

        /** The next line of any generator, or null once every generator's end has been returned. */
        Line next() throws InterruptedException {
            if (open == 0) {
                return null;
            }
            Line l = lines.take();
            if (l.text() == null) {
                open--;
            }
            return l;
        }
    }

    /**
     * {@code wanted}, or fewer when the open-file hard limit would not let one process hold that
     * many sockets (the generator and the server each need one per client).
     */
    static int connectClients(int wanted) {
        long hard = openFileHardLimit();
        return hard > 0 && hard - 400 < wanted ? (int) (hard - 400) : wanted;
    }

    static long openFileHardLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String v = line.substring("Max open files".length()).trim().split("\\s+")[1];
                    return "unlimited".equals(v) ? -1 : Long.parseLong(v);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private Measurement measure(String scenario, String server) {
        Measurement m = new Measurement();
        m.server = server;
        List<Process> serverProcesses = new ArrayList<>();
        RedisServer redis = null;
        List<Process> generators = new ArrayList<>();
        String tag = scenario + "-" + server + "-" + System.nanoTime();
        try {
            int nodes = 1;
            Map<String, String> env = Map.of();
            if ("bcast-2node".equals(scenario)) {
                redis = RedisServer.start();
                nodes = 2;
                env = Map.of(Manager.REDIS_URL_VARIABLE, redis.url());
            }
            List<Integer> ports = new ArrayList<>();
            List<Long> pids = new ArrayList<>();
            for (int k = 1; k <= nodes; k++) {
                String nodeTag = nodes == 1 ? tag : tag + "-node" + k;
                Process p = startServer(server, logDir.resolve(nodeTag + "-server.log").toFile(), nodeTag, env);
                serverProcesses.add(p);
                ports.add(awaitListening(p));
                pids.add(p.pid());
            }
            long pid = pids.get(0);
            boolean jvm = !"node".equals(server);
            int parts = generatorsFor(scenario);
            for (int g = 0; g < parts; g++) {
                List<String> cmd = new ArrayList<>(javaCommand(options.generatorJvmOpts));
                cmd.add(LoadGenerator.class.getName());
                cmd.addAll(generatorArgs(scenario, server, ports, share(ECHO_CLIENTS, g, parts)));
                if (isEcho(scenario)) {
                    cmd.addAll(List.of("--interactive", "--samples", samplesFile(tag, g).toString()));
                }
                String name = parts == 1 ? tag + "-generator.log" : tag + "-generator" + (g + 1) + ".log";
                generators.add(new ProcessBuilder(withOpenFileLimit(cmd)).redirectError(logDir.resolve(name).toFile()).start());
            }
            GeneratorLines lines = new GeneratorLines(generators);
            List<Map<String, Object>> results = new ArrayList<>();
            generators.forEach(x -> results.add(Map.of()));
            double cpu0 = Double.NaN;
            double cpu1 = Double.NaN;
            long t0 = 0;
            long t1 = 0;
            int ready = 0;
            int measuring = 0;
            int ended = 0;
            for (GeneratorLines.Line line; (line = lines.next()) != null; ) {
                String text = line.text();
                if ("phase measure".equals(text)) {
                    if (measuring++ == 0) {
                        cpu0 = cpuSeconds(pids);
                        t0 = System.nanoTime();
                    }
                } else if ("phase end".equals(text)) {
                    if (++ended == parts) {
                        cpu1 = cpuSeconds(pids);
                        t1 = System.nanoTime();
                    }
                } else if (text == null || text.startsWith("phase ready ")) {
                    // when every process has its clients connected, they start their load together;
                    // one that ended before it was ready lets the others go on instead of waiting
                    if (ready < parts && (text == null || ++ready == parts)) {
                        ready = parts;
                        for (Process g : generators) {
                            proceed(g);
                        }
                    }
                } else if (text.startsWith("phase connected ")) {
                    long clients = Long.parseLong(text.substring("phase connected ".length()).trim());
                    long cpuBefore = Math.round(ProcStats.cpuSeconds(pid) * 1000);
                    long rss = ProcStats.rssKib(pid);
                    long heap = jvm ? heapUsedKib(pid) : -1;
                    long cpuAfter = Math.round(ProcStats.cpuSeconds(pid) * 1000);
                    m.memory.add(new long[] {clients, rss, heap, cpuBefore, cpuAfter});
                    proceed(generators.get(line.generator()));
                } else if (text.startsWith("result ")) {
                    results.set(line.generator(), GSON.fromJson(text.substring(7),
                            new TypeToken<LinkedHashMap<String, Object>>() { }.getType()));
                }
            }
            for (int g = 0; g < parts; g++) {
                Process p = generators.get(g);
                if (!p.waitFor(2, TimeUnit.MINUTES)) {
                    throw new IllegalStateException("the generator did not end");
                }
                if (results.get(g).isEmpty()) {
                    throw new IllegalStateException("the generator printed no result (exit " + p.exitValue()
                            + "; see the generator's log in " + logDir + ")");
                }
            }
            if (isEcho(scenario)) {
                List<long[]> samples = new ArrayList<>();
                for (int g = 0; g < parts; g++) {
                    samples.add(LoadGenerator.readSamples(samplesFile(tag, g)));
                    Files.deleteIfExists(samplesFile(tag, g));
                }
                m.generator = combined(results, samples);
            } else {
                m.generator = results.get(0);
            }
            if (scenario.startsWith("connect")) {
                // server CPU from the first checkpoint to the last, without the jcmd calls: per connection
                if (m.memory.size() >= 2) {
                    long[] a = m.memory.get(0);
                    long[] b = m.memory.get(m.memory.size() - 1);
                    m.serverCpuSeconds = (b[3] - a[4]) / 1000.0;
                    m.serverCpuMicrosPerOp = 1e6 * m.serverCpuSeconds / (b[0] - a[0]);
                }
            } else {
                // the operations in the server's CPU window: from the first generator's start of
                // measuring to the last one's end (one generator's own window, give or take a millisecond)
                m.serverCpuSeconds = cpu1 - cpu0;
                double seconds = (t1 - t0) / 1e9;
                m.serverCpuMicrosPerOp = 1e6 * m.serverCpuSeconds / (m.ops() * seconds);
            }
            if (m.memory.size() >= 2) {
                long[] a = m.memory.get(0);
                long[] b = m.memory.get(m.memory.size() - 1);
                double n = b[0] - a[0];
                m.rssKibPerClient = (b[1] - a[1]) / n;
                m.heapKibPerClient = jvm ? (b[2] - a[2]) / n : null;
            }
            Object err = m.generator.get("firstError");
            if (num(m.generator.get("errors")) > 0 && err != null) {
                log.println("bench:   generator errors: " + m.generator.get("errors") + ", first: " + err);
            }
        } catch (Exception e) {
            m.error = e.toString();
        } finally {
            generators.forEach(Process::destroyForcibly);
            serverProcesses.forEach(Bench::stop);
            if (redis != null) {
                redis.close();
            }
        }
        return m;
    }

    /** User+system CPU seconds of all the processes. */
    private static double cpuSeconds(List<Long> pids) {
        double sum = 0;
        for (long pid : pids) {
            sum += ProcStats.cpuSeconds(pid);
        }
        return sum;
    }

    private List<String> javaCommand(List<String> jvmOpts) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOpts);
        cmd.add("-cp");
        cmd.add(options.classPath);
        return cmd;
    }

    /** Runs {@code cmd} with the open-file soft limit raised to the hard limit; the PID stays {@code cmd}'s. */
    static List<String> withOpenFileLimit(List<String> cmd) {
        List<String> wrapped = new ArrayList<>(List.of("bash", "-c", "ulimit -n \"$(ulimit -Hn)\"; exec \"$@\"", "bash"));
        wrapped.addAll(cmd);
        return wrapped;
    }

    /**
     * Starts {@code server} on a free port with {@code env} added to its environment; its standard
     * error goes to {@code log}.
     */
    Process startServer(String server, File logFile, String tag, Map<String, String> env) throws IOException {
        List<String> cmd;
        if ("node".equals(server)) {
            Path script = options.root.resolve("bench/node/server.js");
            if (!Files.isDirectory(options.root.resolve("bench/node/node_modules/socket.io"))) {
                throw new IllegalStateException("socket.io is not installed: run npm ci in " + script.getParent());
            }
            cmd = List.of("node", script.toString(), "0");
        } else {
            List<String> jvmOpts = new ArrayList<>(options.serverJvmOpts);
            if (options.jfrDir != null) {
                // a CPU profile of the measured interval and the warm-up, written when the server stops
                Files.createDirectories(options.jfrDir);
                jvmOpts.add("-XX:StartFlightRecording=settings=profile,dumponexit=true,filename="
                        + options.jfrDir.resolve(tag + ".jfr"));
            }
            cmd = new ArrayList<>(javaCommand(jvmOpts));
            cmd.add(BenchServer.class.getName());
            cmd.add(server);
            cmd.add("0");
        }
        ProcessBuilder pb = new ProcessBuilder(withOpenFileLimit(cmd)).redirectError(logFile);
        pb.environment().remove(Manager.REDIS_URL_VARIABLE);
        pb.environment().putAll(env);
        return pb.start();
    }

    /** Reads the server's standard output up to its {@code listening on} line; returns the port. */
    static int awaitListening(Process p) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = r.readLine()) != null) {
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                Thread drain = new Thread(() -> {
                    try {
                        while (r.readLine() != null) {
                            // servers print nothing more of interest
                        }
                    } catch (IOException e) {
                        // the server ended
                    }
                }, "server-stdout");
                drain.setDaemon(true);
                drain.start();
                return Integer.parseInt(m.group(1));
            }
        }
        throw new IllegalStateException("the server ended before listening");
    }

    /** SIGTERM, then SIGKILL after 15 s. */
    static void stop(Process p) {
        p.destroy();
        try {
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
    }

    /** Live heap in KiB after a full collection ({@code jcmd PID GC.run}, then {@code GC.heap_info}), or -1. */
    static long heapUsedKib(long pid) {
        try {
            String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
            run(jcmd, Long.toString(pid), "GC.run");
            Matcher m = HEAP_USED.matcher(run(jcmd, Long.toString(pid), "GC.heap_info"));
            return m.find() ? Long.parseLong(m.group(1)) : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        return out;
    }

    static String readFirstLine(String file) {
        try {
            return Files.readAllLines(Path.of(file)).get(0).trim();
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    static Options parse(String[] args) {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value after " + a);
            }
            String v = args[++i];
            switch (a) {
                case "--root" -> o.root = Path.of(v).toAbsolutePath();
                case "--servers" -> o.servers = checked(v, ALL_SERVERS, "server");
                case "--scenarios" -> o.scenarios = checked(v, ALL_SCENARIOS, "scenario");
                case "--warmup" -> o.warmup = Double.parseDouble(v);
                case "--duration" -> o.duration = Double.parseDouble(v);
                case "--repeats" -> o.repeats = Integer.parseInt(v);
                case "--hold" -> o.hold = Double.parseDouble(v);
                case "--bcast-rate" -> o.bcastRate = Integer.parseInt(v);
                case "--bcast-clients" -> o.bcastClients = Integer.parseInt(v);
                case "--out" -> o.out = Path.of(v).toAbsolutePath();
                case "--server-jvm-opts" -> o.serverJvmOpts = Arrays.asList(v.trim().split("\\s+"));
                case "--generator-jvm-opts" -> o.generatorJvmOpts = Arrays.asList(v.trim().split("\\s+"));
                case "--generators" -> o.generators = Integer.parseInt(v);
                case "--jfr" -> o.jfrDir = Path.of(v).toAbsolutePath();
                default -> throw new IllegalArgumentException("unknown flag " + a);
            }
        }
        if (o.out == null) {
            o.out = o.root.resolve("bench/target/bench-results.md");
        }
        if (o.repeats < 1) {
            throw new IllegalArgumentException("--repeats must be at least 1");
        }
        if (o.generators < 1 || o.generators > ECHO_CLIENTS) {
            throw new IllegalArgumentException("--generators must be between 1 and " + ECHO_CLIENTS);
        }
        if (o.bcastClients < 2) {
            throw new IllegalArgumentException("--bcast-clients must be at least 2");
        }
        return o;
    }

    private static List<String> checked(String csv, List<String> known, String what) {
        List<String> list = new ArrayList<>();
        for (String s : csv.split(",")) {
            String t = s.trim();
            if (!known.contains(t)) {
                throw new IllegalArgumentException("unknown " + what + " '" + t + "': use " + String.join(",", known));
            }
            list.add(t);
        }
        return list;
    }

    /** Command line entry point; see the class comment. */
    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.err.println("usage: Bench [--servers " + String.join(",", ALL_SERVERS) + "]");
            System.err.println("             [--scenarios " + String.join(",", ALL_SCENARIOS) + "]");
            System.err.println("             [--warmup S] [--duration S] [--repeats N] [--hold S] [--bcast-rate N] [--bcast-clients N]");
            System.err.println("             [--out FILE.md] [--server-jvm-opts \"...\"] [--generator-jvm-opts \"...\"] [--generators N] [--jfr DIR]");
            System.exit(2);
            return;
        }
        o.commandLine = System.getenv().getOrDefault("BENCH_COMMAND", "Bench " + String.join(" ", args));
        Files.createDirectories(o.out.getParent());
        new Bench(o, System.err).run();
    }
}
