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
    private final boolean logger;

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
        this.logger = b.logger;
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
        b.logger = logger;
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
     * Whether every packet received and sent is logged at INFO on the logger
     * {@code org.jsio.engine.packets} (python-engineio's {@code logger=True}); otherwise at DEBUG.
     */
    public boolean logger() {
        return logger;
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
        private int maxBufferedPackets = 10_000;
        private boolean logger;

        private Builder() {
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
