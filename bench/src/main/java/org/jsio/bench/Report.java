package org.jsio.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** The Markdown report of one harness run. */
final class Report {
    private final Bench.Options options;
    private final Map<String, Map<String, List<Bench.Measurement>>> results;
    private final String started;
    private final String loadBefore;
    private final String loadAfter;

    Report(Bench.Options options, Map<String, Map<String, List<Bench.Measurement>>> results,
            String started, String loadBefore, String loadAfter) {
        this.options = options;
        this.results = results;
        this.started = started;
        this.loadBefore = loadBefore;
        this.loadAfter = loadAfter;
    }

    String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("## Run of ").append(started).append("\n\n");
        b.append("```\n").append(options.commandLine).append("\n```\n\n");
        b.append("| | |\n|---|---|\n");
        row(b, "machine", cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cores, "
                + memTotal() + ", Linux " + Bench.readFirstLine("/proc/sys/kernel/osrelease"));
        row(b, "load average before / after", loadBefore + " / " + loadAfter);
        row(b, "JDK", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        row(b, "Jetty", jettyVersion());
        row(b, "Tomcat", tomcatVersion());
        row(b, "Node.js / socket.io", nodeVersion() + " / " + socketIoVersion());
        row(b, "server JVM options", String.join(" ", options.serverJvmOpts));
        row(b, "warm-up / measured / repeats", options.warmup + " s / " + options.duration + " s / " + options.repeats);
        row(b, "generator processes", options.generators + " for the echo scenarios (" + Bench.ECHO_CLIENTS
                + " clients between them), 1 for the others");
        b.append('\n');
        b.append("Figures are medians over the repeats, with the range (min-max) in brackets; "
                + "\"x node\" is the ratio of medians to the Node.js reference server in this run "
                + "(above 1 is better for rates, below 1 is better for CPU and memory). Server CPU is the "
                + "server process's user+system time over the measured interval divided by the operations "
                + "in it. Generator CPU is the load generator processes' own, added up, in % of one core.\n\n");
        for (Map.Entry<String, Map<String, List<Bench.Measurement>>> e : results.entrySet()) {
            scenario(b, e.getKey(), e.getValue());
        }
        return b.toString();
    }

    private void scenario(StringBuilder b, String scenario, Map<String, List<Bench.Measurement>> byServer) {
        b.append("### ").append(scenario).append("\n\n").append(describe(scenario)).append("\n\n");
        List<Bench.Measurement> node = byServer.getOrDefault("node", List.of());
        boolean connect = scenario.startsWith("connect");
        boolean bcast = scenario.startsWith("bcast");
        String unit = connect ? "connections/s" : bcast ? "deliveries/s" : "acks/s";
        if (connect) {
            b.append("| server | ").append(unit).append(" | x node | server CPU us/connection | RSS KiB/client | x node "
                    + "| heap KiB/client | RSS MiB at end | clients pinged / ready | disconnects | gen. CPU % |\n");
            b.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        } else {
            b.append("| server | ").append(unit).append(" | x node | p50 ms | p99 ms | server CPU us/op | x node "
                    + "| gen. CPU % | errors |").append(bcast ? " lost |" : "").append('\n');
            b.append("|---|---|---|---|---|---|---|---|---|").append(bcast ? "---|" : "").append('\n');
        }
        for (Map.Entry<String, List<Bench.Measurement>> e : byServer.entrySet()) {
            List<Bench.Measurement> ok = new ArrayList<>();
            List<String> failures = new ArrayList<>();
            for (Bench.Measurement m : e.getValue()) {
                if (m.error == null) {
                    ok.add(m);
                } else {
                    failures.add(m.error);
                }
            }
            b.append("| ").append(e.getKey());
            ToDoubleFunction<Bench.Measurement> rate = Bench.Measurement::ops;
            ToDoubleFunction<Bench.Measurement> cpu = m -> m.serverCpuMicrosPerOp;
            if (connect) {
                ToDoubleFunction<Bench.Measurement> rss = m -> m.rssKibPerClient == null ? Double.NaN : m.rssKibPerClient;
                ToDoubleFunction<Bench.Measurement> heap = m -> m.heapKibPerClient == null ? Double.NaN : m.heapKibPerClient;
                ToDoubleFunction<Bench.Measurement> rssEnd = m -> m.memory.isEmpty() ? Double.NaN
                        : m.memory.get(m.memory.size() - 1)[1] / 1024.0;
                cell(b, ok, rate, "%.0f");
                ratio(b, ok, node, rate);
                cell(b, ok, cpu, "%.1f");
                cell(b, ok, rss, "%.2f");
                ratio(b, ok, node, rss);
                cell(b, ok, heap, "%.2f");
                cell(b, ok, rssEnd, "%.0f");
                b.append(" | ");
                boolean held = !ok.isEmpty() && Bench.num(ok.get(0).generator.get("holdSeconds")) >= 1;
                if (e.getKey().startsWith("raw-")) {
                    b.append("no heartbeats ");
                } else if (!held) {
                    b.append("not held ");
                }
                for (Bench.Measurement m : held && !e.getKey().startsWith("raw-") ? ok : List.<Bench.Measurement>of()) {
                    b.append(String.format(Locale.ROOT, "%.0f/%.0f ", Bench.num(m.generator.get("clientsPinged")),
                            Bench.num(m.generator.get("clientsReady"))));
                }
                for (Bench.Measurement m : ok) {
                    double asked = Bench.num(m.generator.get("clients"));
                    double ready = Bench.num(m.generator.get("clientsReady"));
                    if (ready < asked) {
                        b.append(String.format(Locale.ROOT, "(only %.0f of %.0f connected) ", ready, asked));
                    }
                }
                cell(b, ok, m -> Bench.num(m.generator.get("disconnectsDuringHold")), "%.0f");
                cell(b, ok, m -> Bench.num(m.generator.get("generatorCpuPct")), "%.0f");
            } else {
                cell(b, ok, rate, "%.0f");
                ratio(b, ok, node, rate);
                cell(b, ok, m -> Bench.num(m.generator.get("p50Micros")) / 1000.0, "%.2f");
                cell(b, ok, m -> Bench.num(m.generator.get("p99Micros")) / 1000.0, "%.2f");
                cell(b, ok, cpu, "%.1f");
                ratio(b, ok, node, cpu);
                cell(b, ok, m -> Bench.num(m.generator.get("generatorCpuPct")), "%.0f");
                cell(b, ok, m -> Bench.num(m.generator.get("errors")), "%.0f");
                if (bcast) {
                    cell(b, ok, Report::lostDeliveries, "%.0f");
                }
            }
            b.append(" |");
            if (!failures.isEmpty()) {
                b.append(" failed ").append(failures.size()).append("x: ").append(failures.get(0).replace('|', '/'));
            }
            b.append('\n');
        }
        b.append('\n');
    }

    /** Deliveries the generator expected (broadcasts sent x clients) and did not get by the end of the drain. */
    static double lostDeliveries(Bench.Measurement m) {
        return Bench.num(m.generator.get("deliveriesExpected")) - Bench.num(m.generator.get("deliveriesReceived"));
    }

    private String describe(String scenario) {
        String clients = String.format(Locale.ROOT, "%,d", options.bcastClients);
        return switch (scenario) {
            case "echo-ws" -> "50 WebSocket clients, closed loop: each sends `echo` with an ack id and sends the next "
                    + "when the ack arrives. Latency is send to ack. Raw servers echo a plain text frame.";
            case "echo-polling" -> "The same over HTTP long-polling (no upgrade): one GET held per client, "
                    + "the event in a POST, the ack in the GET's answer.";
            case "bcast-max" -> clients + " WebSocket clients; one of them sends `bcast` (the server emits it to all "
                    + clients + ") with at most 4 broadcasts in flight. Latency is send to each delivery; lost = "
                    + "deliveries expected (broadcasts x clients) but not received 10 s after the last send.";
            case "bcast-rate" -> "As bcast-max, at a fixed rate of broadcasts making the deliveries/s named in "
                    + "the command (20,000 unless `--bcast-rate` says otherwise).";
            case "connect-5k" -> "5,000 WebSocket clients connect (200 handshakes in flight, Socket.IO connect "
                    + "included); memory per client is the slope between 500 and 5,000 idle clients (RSS from "
                    + "/proc, live heap after `jcmd GC.run`), so fixed costs do not count.";
            case "connect-20k" -> "As connect-5k with " + Bench.connectClients(20_000) + " clients (one process "
                    + "may hold " + Bench.openFileHardLimit() + " open files here), then held idle with "
                    + "heartbeats (pingInterval 25 s, pingTimeout 20 s); pinged = clients that answered at least "
                    + "one ping, disconnects = sessions lost while idle.";
            case "bcast-2node" -> "As bcast-max across two processes of the same server joined through one "
                    + "`redis-server` (started by the harness on 127.0.0.1, no persistence): ours with `RedisManager` "
                    + "(`SOCKETIO_REDIS_URL`), Node.js with `@socket.io/redis-adapter`. Clients alternate between the "
                    + "two processes; the sender is on the first, which delivers to its own half and publishes to "
                    + "Redis for the other. Server CPU is the sum over both processes (Redis's own is not counted), "
                    + "per delivery.";
            default -> "";
        };
    }

    private static void row(StringBuilder b, String k, String v) {
        b.append("| ").append(k).append(" | ").append(v).append(" |\n");
    }

    static double median(double[] v) {
        double[] s = Arrays.stream(v).filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (s.length == 0) {
            return Double.NaN;
        }
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static void cell(StringBuilder b, List<Bench.Measurement> ms, ToDoubleFunction<Bench.Measurement> f,
            String fmt) {
        double[] v = ms.stream().mapToDouble(f).filter(d -> !Double.isNaN(d) && d >= 0).toArray();
        b.append(" | ");
        if (v.length == 0) {
            b.append('-');
            return;
        }
        double min = Arrays.stream(v).min().getAsDouble();
        double max = Arrays.stream(v).max().getAsDouble();
        b.append(String.format(Locale.ROOT, fmt, median(v)));
        if (v.length > 1) {
            b.append(" (").append(String.format(Locale.ROOT, fmt, min)).append('-')
                    .append(String.format(Locale.ROOT, fmt, max)).append(')');
        }
    }

    private static void ratio(StringBuilder b, List<Bench.Measurement> ms, List<Bench.Measurement> node,
            ToDoubleFunction<Bench.Measurement> f) {
        double ours = median(ms.stream().mapToDouble(f).filter(d -> d >= 0).toArray());
        double ref = median(node.stream().filter(m -> m.error == null).mapToDouble(f).filter(d -> d >= 0).toArray());
        b.append(" | ");
        b.append(Double.isNaN(ours) || Double.isNaN(ref) || ref == 0 ? "-" : String.format(Locale.ROOT, "%.2f", ours / ref));
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            return "?";
        }
        return "?";
    }

    private static String memTotal() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    long kib = Long.parseLong(line.substring(9).trim().split("\\s+")[0]);
                    return String.format(Locale.ROOT, "%.1f GiB RAM", kib / 1024.0 / 1024.0);
                }
            }
        } catch (IOException | RuntimeException e) {
            return "?";
        }
        return "?";
    }

    private static String jettyVersion() {
        try {
            return org.eclipse.jetty.util.Jetty.VERSION;
        } catch (LinkageError e) {
            return "?";
        }
    }

    private static String tomcatVersion() {
        try {
            return org.apache.catalina.util.ServerInfo.getServerNumber();
        } catch (LinkageError e) {
            return "?";
        }
    }

    private static String nodeVersion() {
        try {
            return Bench.run("node", "--version").trim();
        } catch (IOException e) {
            return "?";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "?";
        }
    }

    private String socketIoVersion() {
        try {
            String pkg = Files.readString(options.root.resolve("bench/node/node_modules/socket.io/package.json"));
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"version\"\\s*:\\s*\"([^\"]+)\"").matcher(pkg);
            return m.find() ? "socket.io " + m.group(1) : "?";
        } catch (IOException e) {
            return "?";
        }
    }
}
