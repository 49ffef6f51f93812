package org.jsio.testing;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Copies what is written to {@code System.err} (where slf4j-simple logs) while open, still
 * passing it on, so that a test can check what the library logged.
 */
public final class ErrorOutput implements AutoCloseable {
    private static final Pattern LIBRARY_PROBLEM = Pattern.compile("\\] (WARN|ERROR) org\\.jsio\\.");
    private final PrintStream original = System.err;
    private final ByteArrayOutputStream copy = new ByteArrayOutputStream();

    /** Starts copying. */
    public ErrorOutput() {
        OutputStream tee = new OutputStream() {
            @Override
            public void write(int b) {
                original.write(b);
                synchronized (copy) {
                    copy.write(b);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) {
                original.write(b, off, len);
                synchronized (copy) {
                    copy.write(b, off, len);
                }
            }

            @Override
            public void flush() {
                original.flush();
            }
        };
        System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
    }

    /** Everything written so far. */
    public String text() {
        synchronized (copy) {
            return copy.toString(StandardCharsets.UTF_8);
        }
    }

    /** The WARN and ERROR lines of this library's loggers written so far, each with the line after it. */
    public List<String> warningsAndErrors() {
        String[] lines = text().split("\\R");
        List<String> found = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            if (LIBRARY_PROBLEM.matcher(lines[i]).find()) {
                found.add(lines[i] + (i + 1 < lines.length ? " / " + lines[i + 1] : ""));
            }
        }
        return found;
    }

    /** Stops copying. */
    @Override
    public void close() {
        System.setErr(original);
    }
}
