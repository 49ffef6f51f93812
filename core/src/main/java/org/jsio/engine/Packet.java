package org.jsio.engine;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One Engine.IO packet: a type and optional text or binary data. Immutable; the encoded forms are
 * computed once and cached, so a packet broadcast to many clients is encoded once.
 */
public final class Packet {

    /** Engine.IO v4 packet types; the ordinal is the wire digit. */
    public enum Type {
        OPEN, CLOSE, PING, PONG, MESSAGE, UPGRADE, NOOP;

        private static final Type[] VALUES = values();

        /** The wire character of this type. */
        public char code() {
            return (char) ('0' + ordinal());
        }

        static Type fromCode(char c) {
            int i = c - '0';
            return i >= 0 && i < VALUES.length ? VALUES[i] : null;
        }
    }

    static final Packet CLOSE = new Packet(Type.CLOSE, null, null);
    static final Packet PING = new Packet(Type.PING, null, null);
    static final Packet NOOP = new Packet(Type.NOOP, null, null);
    static final Packet PONG_PROBE = new Packet(Type.PONG, "probe", null);

    private final Type type;
    private final String text;
    private final byte[] binary;
    private final boolean compress;
    private String encodedText;
    /** Set once by whichever thread first needs it; volatile so a racing reader sees a whole array. */
    private volatile byte[] encodedUtf8;

    private Packet(Type type, String text, byte[] binary) {
        this(type, text, binary, true);
    }

    private Packet(Type type, String text, byte[] binary, boolean compress) {
        this.type = type;
        this.text = text;
        this.binary = binary;
        this.compress = compress;
    }

    /**
     * The same packet, marked as not to be compressed (Node's {@code compress(false)}): a polling
     * response that carries it is sent uncompressed whatever its size.
     */
    public Packet uncompressed() {
        return compress ? new Packet(type, text, binary, false) : this;
    }

    /** Whether this packet may be sent compressed (true unless {@link #uncompressed()}). */
    public boolean compress() {
        return compress;
    }

    /** A text message packet. */
    public static Packet message(String text) {
        return new Packet(Type.MESSAGE, Objects.requireNonNull(text, "text"), null);
    }

    /**
     * A binary message packet. The array is not copied: the caller must not change it afterwards.
     */
    public static Packet binary(byte[] data) {
        return new Packet(Type.MESSAGE, null, Objects.requireNonNull(data, "data"));
    }

    static Packet of(Type type, String text) {
        return new Packet(type, text, null);
    }

    /** The packet type. */
    public Type type() {
        return type;
    }

    /** The text data, or {@code null} for a binary or empty packet. */
    public String text() {
        return text;
    }

    /** The binary data, or {@code null} for a text packet. */
    public byte[] binary() {
        return binary;
    }

    /** Whether this is a binary message. */
    public boolean isBinary() {
        return binary != null;
    }

    /**
     * What this packet costs in an outgoing buffer: the length of its binary data, or the
     * characters of its text form (see {@link EngineOptions#maxBufferedBytes()}).
     */
    long size() {
        // the type character and the text: the length of encodedText() without building it
        return binary != null ? binary.length : text == null ? 1 : 1 + (long) text.length();
    }

    /** The text form used in a WebSocket text frame: type digit and data, e.g. {@code 4hello}. */
    String encodedText() {
        String e = encodedText;
        if (e == null) {
            e = text == null ? String.valueOf(type.code()) : type.code() + text;
            encodedText = e;
        }
        return e;
    }

    /**
     * The UTF-8 bytes of {@link #encodedText()}, encoded on first use and shared by every
     * connection this packet is sent to: a broadcast is encoded once, whatever the number of
     * recipients. Callers must not change the array.
     */
    byte[] encodedUtf8() {
        byte[] b = encodedUtf8;
        if (b == null) {
            b = encodedText().getBytes(StandardCharsets.UTF_8);
            encodedUtf8 = b;
        }
        return b;
    }

    @Override
    public String toString() {
        return binary != null ? "binary[" + binary.length + "]" : encodedText();
    }
}
