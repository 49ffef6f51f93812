package org.jsio.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A minimal WebSocket client event loop for the load generator: one selector thread serving many
 * connections, text frames only, no extensions. It costs the generator a fraction of what a
 * general-purpose client costs per message, so that the server, not the generator, is measured.
 * Every callback of a connection runs on its loop's thread, one at a time.
 */
final class WsLoop implements AutoCloseable {
    private final Selector selector;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private volatile boolean running = true;

    WsLoop(String name) throws IOException {
        selector = Selector.open();
        thread = new Thread(this::loop, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** What a connection tells its owner. */
    interface Handler {
        /** The handshake succeeded. */
        void onOpen(Conn conn);

        /** A whole text message arrived. */
        void onText(Conn conn, String text);

        /** The connection ended (not called after {@link Conn#close()}). */
        void onClosed(Conn conn, String why);
    }

    /** Opens a WebSocket to {@code ws://host:port/pathAndQuery}. */
    Conn connect(String host, int port, String pathAndQuery, Handler handler) {
        Conn c = new Conn(handler);
        execute(() -> c.start(new InetSocketAddress(host, port), host + ":" + port, pathAndQuery));
        return c;
    }

    private void execute(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    private void loop() {
        while (running) {
            try {
                selector.select();
            } catch (IOException e) {
                return;
            }
            for (Runnable t; (t = tasks.poll()) != null; ) {
                t.run();
            }
            Iterator<SelectionKey> it = selector.selectedKeys().iterator();
            while (it.hasNext()) {
                SelectionKey k = it.next();
                it.remove();
                Conn c = (Conn) k.attachment();
                try {
                    if (k.isValid() && k.isConnectable()) {
                        c.finishConnect();
                    }
                    if (k.isValid() && k.isWritable()) {
                        c.flush();
                    }
                    if (k.isValid() && k.isReadable()) {
                        c.read();
                    }
                } catch (IOException | RuntimeException e) {
                    c.fail(e.toString());
                }
            }
        }
    }

    @Override
    public void close() {
        running = false;
        selector.wakeup();
        try {
            thread.join(5_000);
            for (SelectionKey k : selector.keys()) {
                k.channel().close();
            }
            selector.close();
        } catch (IOException e) {
            // closing is best effort
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One WebSocket connection. */
    final class Conn {
        private final Handler handler;
        private final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();
        private ByteBuffer in = ByteBuffer.allocate(16 * 1024);
        private int need;
        private SocketChannel channel;
        private SelectionKey key;
        private byte[] request;
        private boolean open;
        private boolean closed;
        private java.io.ByteArrayOutputStream fragments;

        private Conn(Handler handler) {
            this.handler = handler;
        }

        private void start(InetSocketAddress address, String hostHeader, String pathAndQuery) {
            byte[] nonce = new byte[16];
            ThreadLocalRandom.current().nextBytes(nonce);
            request = ("GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + hostHeader
                    + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                    + Base64.getEncoder().encodeToString(nonce) + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            try {
                channel = SocketChannel.open();
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                boolean connected = channel.connect(address);
                key = channel.register(selector, connected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, this);
                if (connected) {
                    write(ByteBuffer.wrap(request));
                }
            } catch (IOException | RuntimeException e) {
                fail("connect: " + e);
            }
        }

        private void finishConnect() throws IOException {
            if (channel.finishConnect()) {
                key.interestOps(SelectionKey.OP_READ);
                write(ByteBuffer.wrap(request));
            }
        }

        private void read() throws IOException {
            int n = channel.read(in);
            if (n < 0) {
                fail("connection closed by the server");
                return;
            }
            in.flip();
            if (!open && !handshake()) {
                in.compact();
                grow();
                return;
            }
            frames();
            in.compact();
            if (need > in.capacity()) {
                ByteBuffer bigger = ByteBuffer.allocate(need + 1024);
                in.flip();
                bigger.put(in);
                in = bigger;
            }
            need = 0;
        }

        private boolean handshake() {
            byte[] a = in.array();
            for (int i = in.position(); i + 3 < in.limit(); i++) {
                if (a[i] == '\r' && a[i + 1] == '\n' && a[i + 2] == '\r' && a[i + 3] == '\n') {
                    String head = new String(a, in.position(), i - in.position(), StandardCharsets.ISO_8859_1);
                    if (!head.startsWith("HTTP/1.1 101")) {
                        fail("handshake refused: " + head.lines().findFirst().orElse(""));
                        return false;
                    }
                    in.position(i + 4);
                    open = true;
                    handler.onOpen(this);
                    return true;
                }
            }
            return false;
        }

        private void frames() {
            byte[] a = in.array();
            while (!closed && in.remaining() >= 2) {
                int start = in.position();
                int b0 = a[start] & 0xff;
                int b1 = a[start + 1] & 0xff;
                int header = 2;
                long length = b1 & 0x7f;
                if (length == 126) {
                    header = 4;
                    if (in.remaining() < header) {
                        break;
                    }
                    length = ((a[start + 2] & 0xff) << 8) | (a[start + 3] & 0xff);
                } else if (length == 127) {
                    header = 10;
                    if (in.remaining() < header) {
                        break;
                    }
                    length = 0;
                    for (int i = 2; i < 10; i++) {
                        length = (length << 8) | (a[start + i] & 0xff);
                    }
                }
                boolean masked = (b1 & 0x80) != 0;
                if (masked) {
                    header += 4;
                }
                if (length > 64L * 1024 * 1024) {
                    fail("frame too large: " + length);
                    return;
                }
                if (in.remaining() < header + length) {
                    need = (int) (header + length);
                    return;
                }
                int payload = start + header;
                int len = (int) length;
                if (masked) {
                    for (int i = 0; i < len; i++) {
                        a[payload + i] ^= a[payload - 4 + (i & 3)];
                    }
                }
                in.position(payload + len);
                boolean fin = (b0 & 0x80) != 0;
                switch (b0 & 0x0f) {
                    case 1 -> {
                        if (fin) {
                            handler.onText(this, new String(a, payload, len, StandardCharsets.UTF_8));
                        } else {
                            fragments = new java.io.ByteArrayOutputStream();
                            fragments.write(a, payload, len);
                        }
                    }
                    case 0 -> {
                        if (fragments != null) {
                            fragments.write(a, payload, len);
                            if (fin) {
                                String text = fragments.toString(StandardCharsets.UTF_8);
                                fragments = null;
                                handler.onText(this, text);
                            }
                        }
                    }
                    case 8 -> fail("closed by the server");
                    case 9 -> write(frame(0xA, a, payload, len));
                    default -> {
                        // pong and binary frames are ignored
                    }
                }
            }
        }

        private void grow() {
            if (!in.hasRemaining()) {
                ByteBuffer bigger = ByteBuffer.allocate(in.capacity() * 2);
                in.flip();
                bigger.put(in);
                in = bigger;
            }
        }

        /** Sends one text frame; callable from any thread. */
        void sendText(String text) {
            byte[] p = text.getBytes(StandardCharsets.UTF_8);
            write(frame(0x1, p, 0, p.length));
        }

        /** A masked client frame; the mask key is zero, which leaves the payload as it is. */
        private ByteBuffer frame(int opcode, byte[] p, int offset, int len) {
            int header = len < 126 ? 2 : len < 65536 ? 4 : 10;
            ByteBuffer b = ByteBuffer.allocate(header + 4 + len);
            b.put((byte) (0x80 | opcode));
            if (len < 126) {
                b.put((byte) (0x80 | len));
            } else if (len < 65536) {
                b.put((byte) (0x80 | 126)).putShort((short) len);
            } else {
                b.put((byte) (0x80 | 127)).putLong(len);
            }
            b.putInt(0).put(p, offset, len).flip();
            return b;
        }

        private void write(ByteBuffer b) {
            boolean wantWrite = false;
            synchronized (this) {
                if (closed) {
                    return;
                }
                if (out.isEmpty()) {
                    try {
                        channel.write(b);
                    } catch (IOException e) {
                        closed = true;
                    }
                    if (!b.hasRemaining() || closed) {
                        return;
                    }
                    wantWrite = true;
                }
                out.add(b);
            }
            if (wantWrite) {
                if (Thread.currentThread() == thread) {
                    key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                } else {
                    execute(() -> {
                        if (key.isValid()) {
                            key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                        }
                    });
                }
            }
        }

        private void flush() throws IOException {
            synchronized (this) {
                while (!out.isEmpty()) {
                    ByteBuffer b = out.peek();
                    channel.write(b);
                    if (b.hasRemaining()) {
                        return;
                    }
                    out.poll();
                }
            }
            key.interestOps(SelectionKey.OP_READ);
        }

        private void fail(String why) {
            synchronized (this) {
                if (closed && channel != null && !channel.isOpen()) {
                    return;
                }
                closed = true;
                out.clear();
            }
            closeChannel();
            handler.onClosed(this, why);
        }

        /** Closes the connection without a close handshake; no {@code onClosed} follows. */
        void close() {
            synchronized (this) {
                closed = true;
                out.clear();
            }
            execute(this::closeChannel);
        }

        private void closeChannel() {
            try {
                if (channel != null) {
                    channel.close();
                }
            } catch (IOException e) {
                // already closed
            }
        }
    }
}
