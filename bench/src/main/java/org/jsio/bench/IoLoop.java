package org.jsio.bench;

import java.io.ByteArrayOutputStream;
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
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A minimal client event loop for the load generator: one selector thread serving many
 * WebSocket connections (text frames only, no extensions) and kept-alive HTTP/1.1 connections
 * (one exchange at a time). It costs the generator a fraction of what a general-purpose client,
 * or a thread per connection, costs per message, so that the server, not the generator, is
 * measured. Every callback of a connection runs on its loop's thread, one at a time.
 */
final class IoLoop implements AutoCloseable {
    private final Selector selector;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private volatile boolean running = true;

    IoLoop(String name) throws IOException {
        selector = Selector.open();
        thread = new Thread(this::loop, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** What a WebSocket connection tells its owner. */
    interface Handler {
        /** The handshake succeeded. */
        void onOpen(WsConn conn);

        /** A whole text message arrived. */
        void onText(WsConn conn, String text);

        /** The connection ended (not called after {@link WsConn#close()}). */
        void onClosed(WsConn conn, String why);
    }

    /** The answer to one HTTP exchange. */
    interface Callback {
        /**
         * A whole response arrived, or none will: then {@code status} is -1 and {@code body} says
         * why.
         */
        void onResponse(int status, String body);
    }

    /** Opens a WebSocket to {@code ws://host:port/pathAndQuery}. */
    WsConn connect(String host, int port, String pathAndQuery, Handler handler) {
        WsConn c = new WsConn(handler);
        execute(() -> c.start(new InetSocketAddress(host, port), host + ":" + port, pathAndQuery));
        return c;
    }

    /** A kept-alive HTTP connection to {@code host:port}, opened by its first exchange. */
    HttpConn http(String host, int port) {
        return new HttpConn(new InetSocketAddress(host, port), host + ":" + port);
    }

    /** Whether the caller is this loop's thread. */
    boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** Runs {@code task} on this loop's thread, after what is already waiting. */
    void execute(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    private void loop() {
        while (running) {
            try {
                // ready keys are handed to ready() as found, with no selected-key set to fill and empty
                selector.select(this::ready);
            } catch (IOException e) {
                return;
            }
            for (Runnable t; (t = tasks.poll()) != null; ) {
                t.run();
            }
        }
    }

    private void ready(SelectionKey k) {
        Endpoint c = (Endpoint) k.attachment();
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

    /**
     * One connection on the loop: the channel, and the bytes waiting to be written while the
     * socket's buffer is full. Writes may come from any thread; everything else runs on the loop.
     */
    private abstract class Endpoint {
        private final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();
        SocketChannel channel;
        SelectionKey key;
        /** No more writes on this channel (guarded by {@code this}). */
        boolean closed;

        /** Opens a new channel to {@code address}; {@link #onConnected()} or {@link #fail} follows. */
        final void open(InetSocketAddress address) {
            synchronized (this) {
                closed = false;
                out.clear();
            }
            try {
                channel = SocketChannel.open();
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                boolean connected = channel.connect(address);
                key = channel.register(selector, connected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, this);
                if (connected) {
                    onConnected();
                }
            } catch (IOException | RuntimeException e) {
                fail("connect: " + e);
            }
        }

        final void finishConnect() throws IOException {
            if (channel.finishConnect()) {
                key.interestOps(SelectionKey.OP_READ);
                onConnected();
            }
        }

        /** The channel is connected and registered for reading. */
        abstract void onConnected();

        /** The channel is readable. */
        abstract void read() throws IOException;

        /** The connection failed or the server ended it. */
        abstract void fail(String why);

        final void write(ByteBuffer b) {
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
                SelectionKey k = key;
                if (inLoop()) {
                    k.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                } else {
                    execute(() -> {
                        if (k.isValid()) {
                            k.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                        }
                    });
                }
            }
        }

        final void flush() throws IOException {
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

        /** Stops writing and closes the channel. */
        final void closeChannel() {
            synchronized (this) {
                closed = true;
                out.clear();
            }
            try {
                if (channel != null) {
                    channel.close();
                }
            } catch (IOException e) {
                // already closed
            }
        }
    }

    /** One WebSocket connection. */
    final class WsConn extends Endpoint {
        private final Handler handler;
        private ByteBuffer in = ByteBuffer.allocate(16 * 1024);
        private int need;
        private byte[] request;
        private boolean open;
        private boolean failed;
        private ByteArrayOutputStream fragments;

        private WsConn(Handler handler) {
            this.handler = handler;
        }

        private void start(InetSocketAddress address, String hostHeader, String pathAndQuery) {
            byte[] nonce = new byte[16];
            ThreadLocalRandom.current().nextBytes(nonce);
            request = ("GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + hostHeader
                    + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                    + Base64.getEncoder().encodeToString(nonce) + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            synchronized (this) {
                if (closed) {
                    return; // closed before it started
                }
            }
            open(address);
        }

        @Override
        void onConnected() {
            write(ByteBuffer.wrap(request));
        }

        @Override
        void read() throws IOException {
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
            while (!failed && in.remaining() >= 2) {
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
                            fragments = new ByteArrayOutputStream();
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

        @Override
        void fail(String why) {
            if (failed) {
                return;
            }
            failed = true;
            closeChannel();
            handler.onClosed(this, why);
        }

        /** Closes the connection without a close handshake; no {@code onClosed} follows. */
        void close() {
            synchronized (this) {
                closed = true;
            }
            execute(() -> {
                failed = true;
                closeChannel();
            });
        }
    }

    /**
     * A kept-alive HTTP/1.1 connection with TCP_NODELAY, one exchange at a time, reopened for the
     * next exchange when the server ends it: what a long-polling client of the load generator
     * needs and no more. Its methods and callbacks run on the loop's thread.
     */
    final class HttpConn extends Endpoint {
        /** The headers of a request with a body, up to the body's length. */
        private static final byte[] CONTENT_HEADERS = "Content-Type: text/plain;charset=UTF-8\r\nContent-Length: "
                .getBytes(StandardCharsets.US_ASCII);
        private final InetSocketAddress address;
        private final String hostHeader;
        private ByteBuffer in = ByteBuffer.allocate(8 * 1024);
        private Callback pending;
        private byte[] request;
        /** The request went out on a connection that had served one before. */
        private boolean reused;
        /** Part of the answer to the pending request has arrived. */
        private boolean answered;
        private boolean connected;
        private boolean shut;
        /** The response head being read: status, then the body's length (-1: until the end). */
        private int status;
        private int bodyStart = -1;
        private long length;
        private boolean chunked;
        private boolean closeAfter;
        /** The request line and Host header of the last request, and what they were made of. */
        private String lastMethod;
        private String lastPath;
        private byte[] lastHead;

        private HttpConn(InetSocketAddress address, String hostHeader) {
            this.address = address;
            this.hostHeader = hostHeader;
        }

        /**
         * Sends a request ({@code body} null for a GET); {@code callback} gets the answer. Only one
         * exchange at a time; call on the loop's thread.
         */
        void exchange(String method, String pathAndQuery, String body, Callback callback) {
            if (!inLoop() || pending != null) {
                throw new IllegalStateException("one exchange at a time, on the loop's thread");
            }
            if (shut) {
                callback.onResponse(-1, "closed");
                return;
            }
            if (!method.equals(lastMethod) || !pathAndQuery.equals(lastPath)) {
                // a client repeats the same request line (its session's URL): encoded once
                lastMethod = method;
                lastPath = pathAndQuery;
                lastHead = (method + ' ' + pathAndQuery + " HTTP/1.1\r\nHost: " + hostHeader + "\r\n")
                        .getBytes(StandardCharsets.US_ASCII);
            }
            if (body == null) {
                request = new byte[lastHead.length + 2];
                System.arraycopy(lastHead, 0, request, 0, lastHead.length);
                request[lastHead.length] = '\r';
                request[lastHead.length + 1] = '\n';
            } else {
                byte[] content = body.getBytes(StandardCharsets.UTF_8);
                byte[] length = (content.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
                request = new byte[lastHead.length + CONTENT_HEADERS.length + length.length + content.length];
                int p = 0;
                System.arraycopy(lastHead, 0, request, p, lastHead.length);
                p += lastHead.length;
                System.arraycopy(CONTENT_HEADERS, 0, request, p, CONTENT_HEADERS.length);
                p += CONTENT_HEADERS.length;
                System.arraycopy(length, 0, request, p, length.length);
                p += length.length;
                System.arraycopy(content, 0, request, p, content.length);
            }
            pending = callback;
            send();
        }

        private void send() {
            answered = false;
            if (connected) {
                reused = true;
                write(ByteBuffer.wrap(request));
                return;
            }
            reused = false;
            in.clear();
            bodyStart = -1;
            open(address);
        }

        @Override
        void onConnected() {
            connected = true;
            if (pending != null) {
                write(ByteBuffer.wrap(request));
            }
        }

        @Override
        void read() throws IOException {
            int n = channel.read(in);
            if (n < 0) {
                if (pending != null && bodyStart >= 0 && length < 0 && !chunked) {
                    closeAfter = true; // the body ran to the end of the connection
                    in.flip();
                    complete(in.limit(), in.limit());
                    return;
                }
                fail("connection closed by the server");
                return;
            }
            answered = true;
            parse();
            if (!in.hasRemaining()) {
                ByteBuffer bigger = ByteBuffer.allocate(in.capacity() * 2);
                in.flip();
                bigger.put(in);
                in = bigger;
            }
        }

        /** Reads what it can of the response in {@code in} (in write mode before and after). */
        private void parse() {
            in.flip();
            byte[] a = in.array();
            if (bodyStart < 0) {
                int end = indexOf(a, 0, in.limit(), "\r\n\r\n");
                if (end < 0) {
                    in.position(in.limit()).limit(in.capacity());
                    return;
                }
                head(a, end);
                bodyStart = end + 4;
            }
            if (chunked) {
                int p = bodyStart;
                ByteArrayOutputStream body = new ByteArrayOutputStream();
                while (true) {
                    int eol = indexOf(a, p, in.limit(), "\r\n");
                    if (eol < 0) {
                        break;
                    }
                    String size = new String(a, p, eol - p, StandardCharsets.ISO_8859_1);
                    int semi = size.indexOf(';');
                    long n = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
                    if (n == 0) {
                        int end = indexOf(a, eol, in.limit(), "\r\n\r\n");
                        if (end >= 0) {
                            complete(body.toString(StandardCharsets.UTF_8), end + 4);
                            return;
                        }
                        break;
                    }
                    if (eol + 2 + n + 2 > in.limit()) {
                        break;
                    }
                    body.write(a, eol + 2, (int) n);
                    p = (int) (eol + 2 + n + 2);
                }
            } else if (length >= 0 && in.limit() - bodyStart >= length) {
                complete(bodyStart + (int) length, bodyStart + (int) length);
                return;
            }
            in.position(in.limit()).limit(in.capacity());
        }

        /**
         * Reads the status and the headers that matter here from the response head in
         * {@code a[0, end)}, without making a string of each line: the generator reads two heads
         * per long-polling ack, and its CPU is taken from the server's on a shared machine.
         */
        private void head(byte[] a, int end) {
            int lineEnd = indexOf(a, 0, end, "\r\n");
            if (lineEnd < 0) {
                lineEnd = end;
            }
            int sp = indexOf(a, 0, lineEnd, " ");
            if (sp < 0) {
                throw new IllegalStateException("not an HTTP status line: "
                        + new String(a, 0, lineEnd, StandardCharsets.ISO_8859_1));
            }
            int codeEnd = indexOf(a, sp + 1, lineEnd, " ");
            status = (int) number(a, sp + 1, codeEnd < 0 ? lineEnd : codeEnd);
            length = -1;
            chunked = false;
            closeAfter = matches(a, 0, sp, "http/1.0");
            for (int p = lineEnd + 2; p < end; ) {
                int eol = indexOf(a, p, end, "\r\n");
                if (eol < 0) {
                    eol = end;
                }
                int colon = indexOf(a, p, eol, ":");
                if (colon > 0) {
                    int nameStart = skipSpace(a, p, colon);
                    int nameEnd = trimEnd(a, nameStart, colon);
                    int valueStart = skipSpace(a, colon + 1, eol);
                    int valueEnd = trimEnd(a, valueStart, eol);
                    if (matches(a, nameStart, nameEnd, "content-length")) {
                        length = number(a, valueStart, valueEnd);
                    } else if (matches(a, nameStart, nameEnd, "transfer-encoding")) {
                        chunked = new String(a, valueStart, valueEnd - valueStart, StandardCharsets.ISO_8859_1)
                                .toLowerCase(Locale.ROOT).contains("chunked");
                    } else if (matches(a, nameStart, nameEnd, "connection")) {
                        closeAfter = matches(a, valueStart, valueEnd, "close");
                    }
                }
                p = eol + 2;
            }
        }

        /** The decimal number in {@code a[from, to)}. */
        private static long number(byte[] a, int from, int to) {
            if (from >= to || to - from > 18) {
                throw new NumberFormatException("not a number: " + new String(a, from, Math.max(0, to - from),
                        StandardCharsets.ISO_8859_1));
            }
            long n = 0;
            for (int i = from; i < to; i++) {
                int d = a[i] - '0';
                if (d < 0 || d > 9) {
                    throw new NumberFormatException("not a number: "
                            + new String(a, from, to - from, StandardCharsets.ISO_8859_1));
                }
                n = n * 10 + d;
            }
            return n;
        }

        /** Whether {@code a[from, to)} is {@code lower}, ignoring the case of ASCII letters. */
        private static boolean matches(byte[] a, int from, int to, String lower) {
            if (to - from != lower.length()) {
                return false;
            }
            for (int i = 0; i < lower.length(); i++) {
                int c = a[from + i];
                if (c >= 'A' && c <= 'Z') {
                    c += 'a' - 'A';
                }
                if (c != lower.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        private static int skipSpace(byte[] a, int from, int to) {
            while (from < to && (a[from] == ' ' || a[from] == '\t')) {
                from++;
            }
            return from;
        }

        private static int trimEnd(byte[] a, int from, int to) {
            while (to > from && (a[to - 1] == ' ' || a[to - 1] == '\t')) {
                to--;
            }
            return to;
        }

        private void complete(int bodyEnd, int next) {
            complete(new String(in.array(), bodyStart, bodyEnd - bodyStart, StandardCharsets.UTF_8), next);
        }

        /** Hands the response on; what follows it ({@code next} on) stays for the next one. */
        private void complete(String body, int next) {
            in.position(next);
            in.compact();
            bodyStart = -1;
            Callback c = pending;
            pending = null;
            if (closeAfter) {
                connected = false;
                closeChannel();
            }
            if (c != null) {
                c.onResponse(status, body);
            }
        }

        private static int indexOf(byte[] a, int from, int to, String what) {
            outer:
            for (int i = from; i + what.length() <= to; i++) {
                for (int j = 0; j < what.length(); j++) {
                    if (a[i + j] != what.charAt(j)) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }

        @Override
        void fail(String why) {
            connected = false;
            closeChannel();
            Callback c = pending;
            if (c == null) {
                return; // a kept-alive connection ended between exchanges: the next one reopens it
            }
            if (reused && !answered && !shut) {
                send(); // it ended before answering a request sent on it again: once more on a new one
                return;
            }
            pending = null;
            c.onResponse(-1, why);
        }

        /** Closes the connection; an exchange in progress gets no answer. */
        void close() {
            execute(() -> {
                shut = true;
                pending = null;
                connected = false;
                closeChannel();
            });
        }
    }
}
