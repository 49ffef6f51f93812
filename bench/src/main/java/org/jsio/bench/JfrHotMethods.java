package org.jsio.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Summarises the CPU samples ({@code jdk.ExecutionSample}) of Flight Recorder files, such as those
 * {@code scripts/bench.sh --jfr DIR} leaves: samples by thread pool, the hottest methods, and for
 * the project's own code ({@code org.jsio}) the hottest frames and the inclusive share of each
 * method.
 *
 * <p>{@code JfrHotMethods [--top N] FILE.jfr...}
 */
public final class JfrHotMethods {
    private static final String OURS = "org.jsio.";

    private final Map<String, Integer> threads = new HashMap<>();
    private final Map<String, Integer> self = new HashMap<>();
    private final Map<String, Integer> oursDeepest = new HashMap<>();
    private final Map<String, Integer> oursInclusive = new HashMap<>();
    private int samples;

    private JfrHotMethods() {
    }

    private void add(Path file) throws IOException {
        try (RecordingFile f = new RecordingFile(file)) {
            while (f.hasMoreEvents()) {
                RecordedEvent e = f.readEvent();
                if (!"jdk.ExecutionSample".equals(e.getEventType().getName()) || e.getStackTrace() == null) {
                    continue;
                }
                samples++;
                RecordedThread t = e.getThread("sampledThread");
                String thread = t == null || t.getJavaName() == null ? "?" : t.getJavaName().replaceAll("\\d+", "#");
                threads.merge(thread, 1, Integer::sum);
                List<RecordedFrame> frames = e.getStackTrace().getFrames();
                if (frames.isEmpty()) {
                    continue;
                }
                self.merge(name(frames.get(0).getMethod()), 1, Integer::sum);
                Set<String> seen = new LinkedHashSet<>();
                boolean deepestFound = false;
                for (RecordedFrame fr : frames) {
                    String n = name(fr.getMethod());
                    if (n.startsWith(OURS)) {
                        if (!deepestFound) {
                            oursDeepest.merge(n, 1, Integer::sum);
                            deepestFound = true;
                        }
                        if (seen.add(n)) {
                            oursInclusive.merge(n, 1, Integer::sum);
                        }
                    }
                }
            }
        }
    }

    private static String name(RecordedMethod m) {
        if (m == null) {
            return "?";
        }
        String type = m.getType().getName().replaceAll("\\$\\$Lambda\\$.*", "\\$\\$Lambda");
        return type + "." + m.getName();
    }

    private void print(PrintStream out, int top) {
        out.printf(Locale.ROOT, "%d CPU samples%n", samples);
        section(out, "by thread", threads, top);
        section(out, "hottest methods (self)", self, top);
        section(out, "org.jsio: deepest frame of ours in each sample (self + library code it calls)", oursDeepest, top);
        section(out, "org.jsio: inclusive (the method or anything it calls)", oursInclusive, top);
    }

    private void section(PrintStream out, String title, Map<String, Integer> counts, int top) {
        out.println();
        out.println("## " + title);
        List<Map.Entry<String, Integer>> list = new ArrayList<>(counts.entrySet());
        list.sort(Map.Entry.<String, Integer>comparingByValue().reversed());
        for (Map.Entry<String, Integer> e : list.subList(0, Math.min(top, list.size()))) {
            out.printf(Locale.ROOT, "%5.1f%%  %s%n", 100.0 * e.getValue() / Math.max(1, samples), e.getKey());
        }
    }

    /** Command line entry point; see the class comment. */
    public static void main(String[] args) throws IOException {
        int top = 25;
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if ("--top".equals(args[i]) && i + 1 < args.length) {
                top = Integer.parseInt(args[++i]);
            } else {
                files.add(Path.of(args[i]));
            }
        }
        if (files.isEmpty()) {
            System.err.println("usage: JfrHotMethods [--top N] FILE.jfr...");
            System.exit(2);
        }
        JfrHotMethods h = new JfrHotMethods();
        for (Path f : files) {
            h.add(f);
        }
        h.print(System.out, top);
    }
}
