package org.jsio.engine;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Immutable Engine.IO server settings. Build with {@link #builder()}; every setting has the
 * default of the Node.js reference server and python-engineio.
 */
public final class EngineOptions {

    /** The two Engine.IO transports. */
    public enum Transport {
        POLLING("polling"), WEBSOCKET("websocket");

        private final String wireName;

        Transport(String wireName) {
            this.wireName = wireName;
        }

        /** The name used in the {@code transport} query parameter. */
        public String wireName() {
            return wireName;
        }

        /** The transport with this query-parameter name, or {@code null}. */
        public static Transport fromWireName(String name) {
            for (Transport t : values()) {
                if (t.wireName.equals(name)) {
                    return t;
                }
            }
            return null;
        }
    }

    private final Duration pingInterval;
    private final Duration pingTimeout;
    private final Duration upgradeTimeout;
    private final int maxHttpBufferSize;
    private final boolean allowUpgrades;
    private final Set<Transport> transports;
    private final List<String> corsAllowedOrigins;
    private final boolean corsCredentials;
    private final int maxBufferedPackets;
    private final long maxBufferedBytes;
    private final boolean logger;
    private final boolean httpCompression;
    private final int compressionThreshold;
    private final Cookie cookie;

    private EngineOptions(Builder b) {
        this.pingInterval = b.pingInterval;
        this.pingTimeout = b.pingTimeout;
        this.upgradeTimeout = b.upgradeTimeout;
        this.maxHttpBufferSize = b.maxHttpBufferSize;
        this.allowUpgrades = b.allowUpgrades;
        this.transports = Set.copyOf(b.transports);
        this.corsAllowedOrigins = b.corsAllowedOrigins == null ? null : List.copyOf(b.corsAllowedOrigins);
        this.corsCredentials = b.corsCredentials;
        this.maxBufferedPackets = b.maxBufferedPackets;
        this.maxBufferedBytes = b.maxBufferedBytes;
        this.logger = b.logger;
        this.httpCompression = b.httpCompression;
        this.compressionThreshold = b.compressionThreshold;
        this.cookie = b.cookie;
    }

    /** A builder with the default settings. */
    public static Builder builder() {
        return new Builder();
    }

    /** The default settings. */
    public static EngineOptions defaults() {
        return builder().build();
    }

    /** A builder that starts from these settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.pingInterval = pingInterval;
        b.pingTimeout = pingTimeout;
        b.upgradeTimeout = upgradeTimeout;
        b.maxHttpBufferSize = maxHttpBufferSize;
        b.allowUpgrades = allowUpgrades;
        b.transports = transports;
        b.corsAllowedOrigins = corsAllowedOrigins;
        b.corsCredentials = corsCredentials;
        b.maxBufferedPackets = maxBufferedPackets;
        b.maxBufferedBytes = maxBufferedBytes;
        b.logger = logger;
        b.httpCompression = httpCompression;
        b.compressionThreshold = compressionThreshold;
        b.cookie = cookie;
        return b;
    }

    /** How long the server waits between a pong and its next ping (default 25 s). */
    public Duration pingInterval() {
        return pingInterval;
    }

    /** How long the server waits for a pong before it closes the session (default 20 s). */
    public Duration pingTimeout() {
        return pingTimeout;
    }

    /** How long a WebSocket probe may take to complete the upgrade (default 10 s). */
    public Duration upgradeTimeout() {
        return upgradeTimeout;
    }

    /** The largest message or POST body accepted, in bytes (default 1,000,000). */
    public int maxHttpBufferSize() {
        return maxHttpBufferSize;
    }

    /** Whether polling sessions may upgrade to WebSocket (default true). */
    public boolean allowUpgrades() {
        return allowUpgrades;
    }

    /** The transports clients may use (default both). */
    public Set<Transport> transports() {
        return transports;
    }

    /**
     * Origins allowed to connect: {@code null} (the default) accepts requests without an
     * {@code Origin} header and requests whose origin is the server's own; {@code ["*"]} accepts
     * any origin; an empty list turns CORS handling off (left to the host application).
     */
    public List<String> corsAllowedOrigins() {
        return corsAllowedOrigins;
    }

    /** Whether CORS responses allow credentials (default true, as python-engineio). */
    public boolean corsCredentials() {
        return corsCredentials;
    }

    /**
     * How many outgoing packets may wait for one client before the server gives up on it and
     * closes the session (default 10,000).
     */
    public int maxBufferedPackets() {
        return maxBufferedPackets;
    }

    /**
     * How many bytes of outgoing packets may wait for one client before the server gives up on it
     * (default 8 MiB, {@value Builder#DEFAULT_MAX_BUFFERED_BYTES}). Counted on both transports: the
     * packets held for the next poll of a long-polling client, and the frames queued behind a
     * WebSocket write the client has not taken yet (a text packet counts one byte per character,
     * a binary packet its length).
     *
     * <p>The policy for a client that cannot keep up: volatile emits are dropped first (they are
     * sent only to a client with nothing waiting); a regular packet that would take the client
     * over this bound (or over {@link #maxBufferedPackets()}) ends its session with the reason
     * {@link DisconnectReason#TRANSPORT_ERROR "transport error"}, logged once at WARN, and nothing
     * more is queued for it. Other clients are not held up: nothing waits for a slow client's
     * socket on a shared thread.
     */
    public long maxBufferedBytes() {
        return maxBufferedBytes;
    }

    /**
     * Whether every packet received and sent is logged at INFO on the logger
     * {@code org.jsio.engine.packets} (python-engineio's {@code logger=True}); otherwise at DEBUG.
     */
    public boolean logger() {
        return logger;
    }

    /**
     * Whether long-polling responses are compressed when the client accepts it (default true):
     * gzip or deflate, chosen by {@code Accept-Encoding} (gzip when both are equally welcome), for
     * payloads of at least {@link #compressionThreshold()} bytes. Compressed responses carry
     * {@code Content-Encoding} and {@code Vary: Accept-Encoding}.
     */
    public boolean httpCompression() {
        return httpCompression;
    }

    /** The smallest polling payload, in bytes, that {@link #httpCompression()} compresses (default 1024). */
    public int compressionThreshold() {
        return compressionThreshold;
    }

    /**
     * The cookie that carries the session id, set on the response to a polling handshake so that
     * a load balancer can keep a client on one server; {@code null} (the default) sends none.
     */
    public Cookie cookie() {
        return cookie;
    }

    /**
     * python-engineio's {@code cookie} option: the name and attributes of the session id cookie.
     * Immutable; start with {@link #named(String)} (path {@code /}, {@code SameSite=Lax},
     * {@code HttpOnly}) and change attributes with the {@code with...} methods.
     */
    public static final class Cookie {
        private final String name;
        private final String path;
        private final String sameSite;
        private final boolean httpOnly;
        private final boolean secure;

        private Cookie(String name, String path, String sameSite, boolean httpOnly, boolean secure) {
            this.name = name;
            this.path = path;
            this.sameSite = sameSite;
            this.httpOnly = httpOnly;
            this.secure = secure;
        }

        /** A cookie called {@code name} with path {@code /}, {@code SameSite=Lax} and {@code HttpOnly}. */
        public static Cookie named(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isEmpty() || !name.chars().allMatch(Cookie::isTokenChar)) {
                throw new IllegalArgumentException("not a valid cookie name: '" + name + "'");
            }
            return new Cookie(name, "/", "Lax", true, false);
        }

        /** The same cookie with another {@code Path} ({@code null} leaves the attribute out). */
        public Cookie withPath(String value) {
            if (value != null && value.chars().anyMatch(c -> c < 0x20 || c == 0x7f || c == ';')) {
                throw new IllegalArgumentException("not a valid cookie path: '" + value + "'");
            }
            return new Cookie(name, value, sameSite, httpOnly, secure);
        }

        /**
         * The same cookie with another {@code SameSite}: {@code "Strict"}, {@code "Lax"} or
         * {@code "None"} (browsers take {@code None} only together with {@link #withSecure});
         * {@code null} leaves the attribute out.
         */
        public Cookie withSameSite(String value) {
            String v = null;
            if (value != null) {
                for (String allowed : new String[] {"Strict", "Lax", "None"}) {
                    if (allowed.equalsIgnoreCase(value)) {
                        v = allowed;
                    }
                }
                if (v == null) {
                    throw new IllegalArgumentException("SameSite must be Strict, Lax or None, not '" + value + "'");
                }
            }
            return new Cookie(name, path, v, httpOnly, secure);
        }

        /** The same cookie with or without {@code HttpOnly}. */
        public Cookie withHttpOnly(boolean value) {
            return new Cookie(name, path, sameSite, value, secure);
        }

        /** The same cookie with or without {@code Secure}. */
        public Cookie withSecure(boolean value) {
            return new Cookie(name, path, sameSite, httpOnly, value);
        }

        /** The cookie's name. */
        public String name() {
            return name;
        }

        /** The {@code Path} attribute, or {@code null}. */
        public String path() {
            return path;
        }

        /** The {@code SameSite} attribute, or {@code null}. */
        public String sameSite() {
            return sameSite;
        }

        /** Whether the cookie is {@code HttpOnly}. */
        public boolean httpOnly() {
            return httpOnly;
        }

        /** Whether the cookie is {@code Secure}. */
        public boolean secure() {
            return secure;
        }

        /** The {@code Set-Cookie} header value for a session id. */
        public String headerValue(String sid) {
            StringBuilder b = new StringBuilder(name).append('=').append(sid);
            if (path != null) {
                b.append("; Path=").append(path);
            }
            if (sameSite != null) {
                b.append("; SameSite=").append(sameSite);
            }
            if (httpOnly) {
                b.append("; HttpOnly");
            }
            if (secure) {
                b.append("; Secure");
            }
            return b.toString();
        }

        private static boolean isTokenChar(int c) {
            return c > 0x20 && c < 0x7f && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0;
        }

        @Override
        public String toString() {
            return headerValue("<sid>");
        }
    }

    /** Builder for {@link EngineOptions}. */
    public static final class Builder {
        private Duration pingInterval = Duration.ofSeconds(25);
        private Duration pingTimeout = Duration.ofSeconds(20);
        private Duration upgradeTimeout = Duration.ofSeconds(10);
        private int maxHttpBufferSize = 1_000_000;
        private boolean allowUpgrades = true;
        private Set<Transport> transports = Set.of(Transport.POLLING, Transport.WEBSOCKET);
        private List<String> corsAllowedOrigins;
        private boolean corsCredentials = true;
        /** The default of {@link EngineOptions#maxBufferedBytes()}: 8 MiB. */
        public static final long DEFAULT_MAX_BUFFERED_BYTES = 8L * 1024 * 1024;

        private int maxBufferedPackets = 10_000;
        private long maxBufferedBytes = DEFAULT_MAX_BUFFERED_BYTES;
        private boolean logger;
        private boolean httpCompression = true;
        private int compressionThreshold = 1024;
        private Cookie cookie;

        private Builder() {
        }

        /** @see EngineOptions#httpCompression() */
        public Builder httpCompression(boolean value) {
            this.httpCompression = value;
            return this;
        }

        /** @see EngineOptions#compressionThreshold() */
        public Builder compressionThreshold(int bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("compressionThreshold must not be negative");
            }
            this.compressionThreshold = bytes;
            return this;
        }

        /** Sets the session id cookie {@link Cookie#named(String) named} {@code name}; see {@link EngineOptions#cookie()}. */
        public Builder cookie(String name) {
            return cookie(Cookie.named(name));
        }

        /** @see EngineOptions#cookie() ({@code null} turns the cookie off) */
        public Builder cookie(Cookie value) {
            this.cookie = value;
            return this;
        }

        /** @see EngineOptions#logger() */
        public Builder logger(boolean value) {
            this.logger = value;
            return this;
        }

        /** @see EngineOptions#pingInterval() */
        public Builder pingInterval(Duration value) {
            this.pingInterval = positive(value, "pingInterval");
            return this;
        }

        /** @see EngineOptions#pingTimeout() */
        public Builder pingTimeout(Duration value) {
            this.pingTimeout = positive(value, "pingTimeout");
            return this;
        }

        /** @see EngineOptions#upgradeTimeout() */
        public Builder upgradeTimeout(Duration value) {
            this.upgradeTimeout = positive(value, "upgradeTimeout");
            return this;
        }

        /** @see EngineOptions#maxHttpBufferSize() */
        public Builder maxHttpBufferSize(int bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("maxHttpBufferSize must be positive");
            }
            this.maxHttpBufferSize = bytes;
            return this;
        }

        /** @see EngineOptions#allowUpgrades() */
        public Builder allowUpgrades(boolean value) {
            this.allowUpgrades = value;
            return this;
        }

        /** @see EngineOptions#transports() */
        public Builder transports(Transport... value) {
            if (value.length == 0) {
                throw new IllegalArgumentException("at least one transport is needed");
            }
            this.transports = Set.of(value);
            return this;
        }

        /** @see EngineOptions#corsAllowedOrigins() */
        public Builder corsAllowedOrigins(List<String> origins) {
            this.corsAllowedOrigins = origins;
            return this;
        }

        /** @see EngineOptions#corsAllowedOrigins() */
        public Builder corsAllowedOrigins(String... origins) {
            return corsAllowedOrigins(List.of(origins));
        }

        /** @see EngineOptions#corsCredentials() */
        public Builder corsCredentials(boolean value) {
            this.corsCredentials = value;
            return this;
        }

        /** @see EngineOptions#maxBufferedPackets() */
        public Builder maxBufferedPackets(int value) {
            if (value <= 0) {
                throw new IllegalArgumentException("maxBufferedPackets must be positive");
            }
            this.maxBufferedPackets = value;
            return this;
        }

        /** @see EngineOptions#maxBufferedBytes() */
        public Builder maxBufferedBytes(long bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("maxBufferedBytes must be positive");
            }
            this.maxBufferedBytes = bytes;
            return this;
        }

        /** The frozen settings. */
        public EngineOptions build() {
            return new EngineOptions(this);
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive");
            }
            return d;
        }
    }
}
