package org.jsio.engine;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jsio.engine.spi.WebSocketConnection;

/** An in-memory WebSocket for engine tests: records frames (binary as "bin:" + length). */
final class FakeWebSocket implements WebSocketConnection {
    final BlockingQueue<Object> frames = new LinkedBlockingQueue<>();
    final CountDownLatch closed = new CountDownLatch(1);
    volatile int closeCode; // the first close wins, as in real containers
    /** Whether to ask for text as UTF-8 bytes; those sends are recorded as text and in {@link #utf8Sends}. */
    volatile boolean utf8;
    final BlockingQueue<byte[]> utf8Sends = new LinkedBlockingQueue<>();
    /** The thread of the last send. */
    volatile Thread sender;

    @Override
    public boolean prefersUtf8() {
        return utf8;
    }

    @Override
    public void sendTextUtf8(byte[] bytes, SendCallback done) {
        utf8Sends.add(bytes);
        frames.add(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
        done.done(null);
    }

    @Override
    public void sendText(String text, SendCallback done) {
        sender = Thread.currentThread();
        frames.add(text);
        done.done(null);
    }

    @Override
    public void sendBinary(byte[] data, SendCallback done) {
        frames.add(data);
        done.done(null);
    }

    @Override
    public void close(int code, String reason) {
        if (closed.getCount() > 0) {
            closeCode = code;
            closed.countDown();
        }
    }

    Object next() throws InterruptedException {
        Object f = frames.poll(5, TimeUnit.SECONDS);
        if (f == null) {
            throw new AssertionError("no frame within 5 s");
        }
        return f;
    }

    boolean awaitClosed() throws InterruptedException {
        return closed.await(5, TimeUnit.SECONDS);
    }
}
