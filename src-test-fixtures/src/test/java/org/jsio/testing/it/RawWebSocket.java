package org.jsio.testing.it;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;

/**
 * A WebSocket client written on a plain TCP socket, for tests that need what a well-behaved
 * client library never does: frames with invalid UTF-8, reserved opcodes, stray continuations, or
 * a client that completes the handshake and then stops reading so that the kernel buffers fill.
 *
 * <p>Frames are read only when the test asks for them, so a test that never calls
 * {@link #readFrame} is a client that does not read.
 */
final class RawWebSocket implements AutoCloseable {
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final int status;
    private final String head;

    /**
     * One received frame: its opcode and payload (for a close frame, code and reason), and
     * whether its RSV1 bit (permessage-deflate: compressed) was set.
     */
    record Frame(int opcode, byte[] payload, boolean rsv1) {
        Frame(int opcode, byte[] payload) {
            this(opcode, payload, false);
        }

        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
        }
    }

    /** Whether the frame {@link #readFrame} returned last was the final one of its message. */
    private boolean lastFin;

    private RawWebSocket(Socket socket, int status, String head) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.status = status;
        this.head = head;
    }

    /**
     * Connects and performs the opening handshake on {@code uri} ({@code http://host:port/path?query}).
     *
     * @param receiveBuffer the socket's receive buffer in bytes, or 0 for the system default
     *     (a small one makes a client that stops reading back up quickly)
     */
    static RawWebSocket connect(URI uri, int receiveBuffer, Duration timeout) throws IOException {
        return connect(uri, receiveBuffer, timeout, "");
    }

    /**
     * Like {@link #connect(URI, int, Duration)}, with more request header lines (each ending in
     * CRLF) such as {@code "Sec-WebSocket-Extensions: permessage-deflate\r\n"}.
     */
    static RawWebSocket connect(URI uri, int receiveBuffer, Duration timeout, String extraHeaders) throws IOException {
        Socket s = new Socket();
        try {
            if (receiveBuffer > 0) {
                s.setReceiveBufferSize(receiveBuffer);
            }
            s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), (int) timeout.toMillis());
            s.setSoTimeout((int) timeout.toMillis());
            byte[] nonce = new byte[16];
            RANDOM.nextBytes(nonce);
            String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
            String request = "GET " + path + " HTTP/1.1\r\n"
                    + "Host: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
                    + "Upgrade: websocket\r\n"
                    + "Connection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
                    + "Sec-WebSocket-Version: 13\r\n" + extraHeaders + "\r\n";
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            String head = readHead(s.getInputStream());
            int status = Integer.parseInt(head.split(" ", 3)[1]);
            return new RawWebSocket(s, status, head);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed during the handshake: " + head);
            }
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** A header of the handshake answer (the first one of that name), or {@code null}. */
    String responseHeader(String name) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    /** The HTTP status of the handshake answer (101 when upgraded). */
    int status() {
        return status;
    }

    /** Sends one complete text frame. */
    void sendText(String text) throws IOException {
        sendFrame(true, TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends one frame exactly as given (masked, as a client must). */
    synchronized void sendFrame(boolean fin, int opcode, byte[] payload) throws IOException {
        sendFrame(fin, false, opcode, payload);
    }

    /** Sends one frame exactly as given, with the RSV1 bit set if {@code rsv1}. */
    synchronized void sendFrame(boolean fin, boolean rsv1, int opcode, byte[] payload) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
        frame.write((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | (opcode & 0x0f));
        int n = payload.length;
        if (n < 126) {
            frame.write(0x80 | n);
        } else if (n < 65536) {
            frame.write(0x80 | 126);
            frame.write(n >>> 8);
            frame.write(n);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) n >>> shift));
            }
        }
        byte[] mask = new byte[4];
        RANDOM.nextBytes(mask);
        frame.write(mask, 0, 4);
        for (int i = 0; i < n; i++) {
            frame.write(payload[i] ^ mask[i & 3]);
        }
        out.write(frame.toByteArray());
        out.flush();
    }

    /** Sends bytes exactly as given, which need not be a valid frame. */
    synchronized void sendBytes(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /**
     * The next frame from the server, or {@code null} when the connection ended (closed by the
     * server or reset). Throws {@link SocketTimeoutException} when nothing came in time.
     */
    Frame readFrame() throws IOException {
        try {
            int b0 = in.read();
            if (b0 < 0) {
                return null;
            }
            int b1 = readByte();
            long len = b1 & 0x7f;
            if (len == 126) {
                len = (readByte() << 8) | readByte();
            } else if (len == 127) {
                len = 0;
                for (int i = 0; i < 8; i++) {
                    len = (len << 8) | readByte();
                }
            }
            if (len > Integer.MAX_VALUE - 8) {
                throw new IOException("frame too large: " + len);
            }
            byte[] payload = in.readNBytes((int) len);
            if (payload.length < len) {
                return null;
            }
            lastFin = (b0 & 0x80) != 0;
            return new Frame(b0 & 0x0f, payload, (b0 & 0x40) != 0);
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException e) {
            if (socket.isClosed()) {
                throw e;
            }
            return null; // reset by the server
        }
    }

    /**
     * The next text or binary message, its continuation frames joined (the server may split a
     * large message), or {@code null} if the connection ended; control frames are skipped.
     */
    Frame readMessage() throws IOException {
        Frame first = readFrame();
        while (first != null && first.opcode() >= 8) {
            first = readFrame();
        }
        if (first == null || lastFin) {
            return first;
        }
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        all.writeBytes(first.payload());
        while (true) {
            Frame next = readFrame();
            if (next == null) {
                return null;
            }
            if (next.opcode() >= 8) {
                continue;
            }
            all.writeBytes(next.payload());
            if (lastFin) {
                return new Frame(first.opcode(), all.toByteArray(), first.rsv1());
            }
        }
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException();
        }
        return b;
    }

    /** Changes how long {@link #readFrame} waits. */
    void readTimeout(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
    }

    /** Ends the TCP connection at once with a reset (no close frame, no FIN). */
    void reset() {
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (IOException e) {
            // already gone
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // already gone
        }
    }
}
