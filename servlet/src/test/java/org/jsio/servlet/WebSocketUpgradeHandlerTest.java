package org.jsio.servlet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.WebConnection;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.jsio.engine.spi.WebSocketAcceptor;
import org.jsio.engine.spi.WebSocketConnection;
import org.jsio.engine.spi.WebSocketListener;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the real clients cannot see of {@link WebSocketUpgradeHandler}: how its frames reach the
 * container's stream (in one write when the engine says more follow; nothing piling up while the
 * connection cannot take more) and that frames are found wherever the container's reads cut them.
 * The container's streams are stand-ins driven by the test, on its own thread.
 */
class WebSocketUpgradeHandlerTest {
    private final Streams streams = new Streams();
    private final List<String> events = new ArrayList<>();
    /** Tasks given to the acceptor's scheduler, with their delays. */
    private final List<Runnable> scheduled = new ArrayList<>();
    private final List<Long> delays = new ArrayList<>();
    private WebSocketConnection connection;

    /** The container's side: what was written, one entry per write, and whether it can take more. */
    private static final class Streams implements WebConnection {
        final List<byte[]> writes = new ArrayList<>();
        final ArrayDeque<byte[]> toRead = new ArrayDeque<>();
        boolean ready = true;
        /** Whether the container keeps part of each write to send later (isReady false after it). */
        boolean busyAfterWrite;
        /** Whether writes ignore their offset and length and take the whole array (Undertow 2.3). */
        boolean wholeArrays;
        boolean closed;
        /** Whether closing flushes what is left and reports the failure again (Tomcat 10.1). */
        boolean reportOnClose;
        /** What the listener threw at such a report: Tomcat logs it as a swallowed error. */
        final List<RuntimeException> swallowed = new ArrayList<>();
        ReadListener readListener;
        WriteListener writeListener;

        final ServletOutputStream out = new ServletOutputStream() {
            @Override
            public boolean isReady() {
                return ready;
            }

            @Override
            public void setWriteListener(WriteListener listener) {
                writeListener = listener;
            }

            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                writes.add(wholeArrays ? b.clone() : java.util.Arrays.copyOfRange(b, off, off + len));
                if (busyAfterWrite) {
                    ready = false;
                }
            }
        };

        final ServletInputStream in = new ServletInputStream() {
            @Override
            public boolean isFinished() {
                return false;
            }

            @Override
            public boolean isReady() {
                return !toRead.isEmpty();
            }

            @Override
            public void setReadListener(ReadListener listener) {
                readListener = listener;
            }

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                byte[] next = toRead.poll();
                if (next.length > len) {
                    toRead.addFirst(java.util.Arrays.copyOfRange(next, len, next.length));
                    next = java.util.Arrays.copyOf(next, len);
                }
                System.arraycopy(next, 0, b, off, next.length);
                return next.length;
            }
        };

        @Override
        public ServletInputStream getInputStream() {
            return in;
        }

        @Override
        public ServletOutputStream getOutputStream() {
            return out;
        }

        @Override
        public void close() {
            closed = true;
            if (reportOnClose) {
                try {
                    writeListener.onError(new IOException("Broken pipe"));
                } catch (RuntimeException e) {
                    swallowed.add(e);
                }
            }
        }

        /** The client sends {@code bytes}, which the container reads in pieces of {@code piece} bytes. */
        void arrive(byte[] bytes, int piece) throws IOException {
            for (int i = 0; i < bytes.length; i += piece) {
                toRead.add(java.util.Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + piece)));
            }
            readListener.onDataAvailable();
        }
    }

    @BeforeEach
    void open() throws IOException {
        open(streams, false);
    }

    /** A handler on {@code container}'s streams; {@link #connection} becomes its connection. */
    private void open(Streams container, boolean exactWrites) throws IOException {
        WebSocketUpgradeHandler handler = new WebSocketUpgradeHandler();
        handler.bind(new WebSocketAcceptor() {
            @Override
            public int maxMessageSize() {
                return 1000;
            }

            @Override
            public long idleTimeoutMillis() {
                return 90_000;
            }

            @Override
            public java.util.concurrent.Future<?> schedule(Runnable task, long delayMillis) {
                scheduled.add(task);
                delays.add(delayMillis);
                return new java.util.concurrent.CompletableFuture<Void>();
            }

            @Override
            public WebSocketListener open(WebSocketConnection c) {
                connection = c;
                return new WebSocketListener() {
                    @Override
                    public void onText(String text) {
                        events.add("text " + text);
                    }

                    @Override
                    public void onBinary(byte[] data) {
                        events.add("binary " + data.length);
                    }

                    @Override
                    public void onClose(int code, String reason) {
                        events.add("close " + code);
                    }

                    @Override
                    public void onError(Throwable error) {
                        events.add("error");
                    }
                };
            }
        }, "test", exactWrites, null);
        connection = null;
        handler.init(container);
        assertNotNull(connection);
        container.writeListener.onWritePossible(); // the container's first call
    }

    private static byte[] unmaskedFrame(int opcode, String text) {
        byte[] p = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(0x80 | opcode);
        b.write(p.length);
        b.writeBytes(p);
        return b.toByteArray();
    }

    /** A client frame: masked with a key that changes the bytes. */
    private static byte[] clientFrame(boolean fin, int opcode, byte[] payload) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write((fin ? 0x80 : 0) | opcode);
        if (payload.length < 126) {
            b.write(0x80 | payload.length);
        } else {
            b.write(0x80 | 126);
            b.write(payload.length >> 8);
            b.write(payload.length);
        }
        byte[] mask = {0x12, 0x34, 0x56, 0x78};
        b.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            b.write(payload[i] ^ mask[i & 3]);
        }
        return b.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }

    @Test
    void framesSentWithMoreLeaveInOneWriteWithTheNext() {
        List<String> done = new ArrayList<>();
        connection.sendText("a", true, f -> done.add("a " + f));
        connection.sendText("b", true, f -> done.add("b " + f));
        assertEquals(List.of("a null", "b null"), done, "held back, completed at once");
        assertEquals(0, streams.writes.size());
        connection.sendText("c", false, f -> done.add("c " + f));
        assertEquals(1, streams.writes.size(), "one write for the three");
        assertArrayEquals(concat(unmaskedFrame(1, "a"), unmaskedFrame(1, "b"), unmaskedFrame(1, "c")),
                streams.writes.get(0));
        assertEquals("c null", done.get(2));
    }

    @Test
    void aContainerThatWritesWholeArraysIsGivenExactOnes() throws IOException {
        Streams whole = new Streams();
        whole.wholeArrays = true;
        open(whole, true);
        connection.sendText("a longer first message", false, f -> { });
        connection.sendText("b", true, f -> { });
        connection.sendText("c", false, f -> { });
        assertEquals(2, whole.writes.size());
        assertArrayEquals(unmaskedFrame(1, "a longer first message"), whole.writes.get(0));
        assertArrayEquals(concat(unmaskedFrame(1, "b"), unmaskedFrame(1, "c")), whole.writes.get(1),
                "nothing of the buffer beyond the frames");
    }

    @Test
    void nothingPilesUpWhileTheConnectionCannotTakeMore() throws IOException {
        List<String> done = new ArrayList<>();
        connection.sendText("a", false, f -> done.add("a " + f));
        streams.busyAfterWrite = true;
        connection.sendText("b", false, f -> done.add("b " + f));
        // written, but the container still holds part of it: b completes once it sent it all
        assertEquals(List.of("a null"), done);
        assertEquals(2, streams.writes.size());
        connection.sendText("c", true, f -> done.add("c " + f));
        assertEquals(List.of("a null"), done, "a send with more completes only once written, too");
        assertEquals(2, streams.writes.size(), "c waits for the container");
        streams.busyAfterWrite = false;
        streams.ready = true;
        streams.writeListener.onWritePossible();
        assertEquals(List.of("a null", "b null", "c null"), done);
        assertArrayEquals(unmaskedFrame(1, "c"), streams.writes.get(2));
    }

    @Test
    void framesAreFoundWhereverTheReadsCutThem() throws IOException {
        byte[] large = "é".repeat(150).getBytes(StandardCharsets.UTF_8); // 300 bytes: a 16-bit length
        byte[] all = concat(
                clientFrame(true, 1, "42[\"x\"]".getBytes(StandardCharsets.UTF_8)),
                clientFrame(false, 1, java.util.Arrays.copyOfRange(large, 0, 151)), // cuts a character
                clientFrame(true, 9, "p".getBytes(StandardCharsets.UTF_8)),
                clientFrame(true, 0, java.util.Arrays.copyOfRange(large, 151, large.length)),
                clientFrame(true, 2, new byte[] {1, 2, 3}));
        for (int piece : new int[] {1, 2, 3, 7, all.length}) {
            events.clear();
            streams.writes.clear();
            streams.arrive(all, piece);
            assertEquals(List.of("text 42[\"x\"]", "text " + "é".repeat(150), "binary 3"), events, "pieces of " + piece);
            assertEquals(1, streams.writes.size(), "the ping is answered");
            assertArrayEquals(unmaskedFrame(0xA, "p"), streams.writes.get(0));
        }
    }

    @Test
    void aCloseFrameIsAnsweredAndEndsTheConnection() throws IOException {
        streams.arrive(clientFrame(true, 8, new byte[] {0x03, (byte) 0xE9}), 100);
        assertEquals(List.of("close 1001"), events);
        assertArrayEquals(new byte[] {(byte) 0x88, 2, 0x03, (byte) 0xE9}, streams.writes.get(0));
        assertTrue(streams.closed);
        List<Throwable> failures = new ArrayList<>();
        connection.sendText("late", false, failures::add);
        assertEquals(1, failures.size(), "nothing is sent after the close");
        assertNotNull(failures.get(0));
    }

    @Test
    void theServersCloseIsWrittenAfterWhatWasQueuedThenTheConnectionEnds() throws IOException {
        streams.ready = false;
        List<Throwable> done = new ArrayList<>();
        connection.sendText("last", false, done::add);
        connection.close(1000, "");
        assertFalse(streams.closed, "not before the close frame is written");
        streams.ready = true;
        streams.writeListener.onWritePossible();
        assertEquals(1, done.size());
        assertEquals(null, done.get(0));
        assertArrayEquals(concat(unmaskedFrame(1, "last"), new byte[] {(byte) 0x88, 2, 0x03, (byte) 0xE8}),
                concat(streams.writes.toArray(new byte[0][])));
        assertFalse(streams.closed, "the client's answer is awaited");
        assertEquals(List.of(90_000L, 2_000L), delays, "the idle timeout until written, then the linger");
        streams.arrive(concat(clientFrame(true, 1, "42[\"late\"]".getBytes(StandardCharsets.UTF_8)),
                clientFrame(true, 8, new byte[] {0x03, (byte) 0xE8})), 100);
        assertEquals(List.of(), events.stream().filter(e -> e.startsWith("text")).toList(),
                "a message that crossed the close is not delivered");
        assertTrue(streams.closed, "the client's close frame ends the connection");
    }

    /** A client that never answers the server's close frame cannot hold the connection either. */
    @Test
    void anUnansweredCloseEndsTheConnectionAfterTheLinger() {
        connection.close(1000, "");
        assertEquals(1, streams.writes.size(), "the close frame");
        assertFalse(streams.closed);
        assertEquals(List.of(2_000L), delays);
        scheduled.get(0).run();
        assertTrue(streams.closed);
    }

    /** A client that stops reading cannot hold the connection: it ends after the idle timeout. */
    @Test
    void aCloseFrameNeverTakenEndsTheConnectionAfterTheIdleTimeout() {
        streams.ready = false;
        List<Throwable> done = new ArrayList<>();
        connection.sendText("unread", false, done::add);
        connection.close(1000, "");
        assertEquals(List.of(90_000L), delays, "one timer, for the acceptor's idle timeout");
        assertFalse(streams.closed);
        assertEquals(List.of(), done);
        scheduled.get(0).run();
        assertTrue(streams.closed);
        assertEquals(1, done.size());
        assertNotNull(done.get(0), "what was never written fails");
        assertEquals(List.of("close 1006"), events);
        assertEquals(0, streams.writes.size());
    }

    @Test
    void aMessageOverTheLimitClosesWith1009() throws IOException {
        streams.arrive(concat(clientFrame(false, 1, new byte[600]), clientFrame(true, 0, new byte[600])), 4096);
        assertEquals(List.of("close 1009"), events);
        assertEquals(0x88, streams.writes.get(0)[0] & 0xff);
        assertEquals(1009, ((streams.writes.get(0)[2] & 0xff) << 8) | (streams.writes.get(0)[3] & 0xff));
        // the rest of what the client sends is read and dropped, so that ending the connection
        // does not reset it under the close frame
        assertFalse(streams.closed);
        streams.arrive(new byte[10_000], 4096);
        assertTrue(streams.toRead.isEmpty(), "read");
        assertEquals(List.of("close 1009"), events);
        assertEquals(1, streams.writes.size(), "and not answered");
        streams.readListener.onAllDataRead();
        assertTrue(streams.closed, "the client's end ends it");
    }

    /**
     * Undertow 2.3, when a write of data it kept for later fails, reports the error, closes the
     * connection and tries the write again, in a loop on its I/O thread: the second report of a
     * failed write throws, which is what ends that loop.
     */
    @Test
    void aFailedWriteReportedAgainEndsTheContainersRetries() {
        streams.busyAfterWrite = true;
        connection.sendText("kept for later", false, e -> { });
        int[] reports = {0};
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> {
            for (int i = 0; i < 1_000; i++) { // the container's loop, bounded here
                reports[0]++;
                streams.writeListener.onError(new IOException("Connection reset by peer"));
            }
        });
        assertEquals(2, reports[0], "the second report ends the loop");
        assertTrue(e.getMessage().contains("Connection reset by peer"), e.getMessage());
        assertTrue(streams.closed);
        assertEquals(1, events.stream().filter("error"::equals).count(), () -> "the error reached the engine once: "
                + events);
    }

    /**
     * Tomcat, when a write fails, reports it; the connection closes from inside that report, and
     * Tomcat's close flushes again and reports the failure a second time, from inside the first
     * report. That is not a loop: nothing is thrown (Tomcat would log it as a swallowed error).
     */
    @Test
    void aFailedWriteReportedAgainFromInsideTheFirstReportIsNotALoop() {
        streams.reportOnClose = true;
        streams.writeListener.onError(new IOException("Broken pipe"));
        assertTrue(streams.closed);
        assertEquals(List.of(), streams.swallowed);
        assertEquals(1, events.stream().filter("error"::equals).count(), () -> "the error reached the engine once: "
                + events);
    }

    /** One error on each side, as any container may report, is not a loop. */
    @Test
    void oneErrorOnEachSideIsNotARetry() {
        streams.readListener.onError(new IOException("read failed"));
        streams.writeListener.onError(new IOException("write failed"));
        assertTrue(streams.closed);
    }
}
