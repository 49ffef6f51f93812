package org.jsio.manager;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import redis.clients.jedis.BinaryJedisPubSub;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.SslOptions;

/**
 * A {@link PubSubManager} on Redis publish/subscribe (python-socketio's {@code RedisManager}),
 * with jedis. Every server process of a cluster uses the same URL and channel:
 *
 * <pre>{@code
 * SocketIoServer sio = SocketIoServer.builder()
 *         .clientManager(RedisManager.create("redis://127.0.0.1:6379"))
 *         .build();
 * }</pre>
 *
 * <p>The URL is {@code redis://[[user]:password@]host[:port][/database]}, or {@code rediss://}
 * for TLS. Jedis is an optional dependency of this library: add {@code redis.clients:jedis} to use
 * this class.
 */
public final class RedisManager extends PubSubManager {
    private final RedisClient client;
    private final byte[] channelBytes;
    private final String url;
    private volatile BinaryJedisPubSub subscription;

    private RedisManager(Builder b) {
        super(b.channel, b.writeOnly, b.queueCapacity, b.remoteAckTimeout);
        this.url = b.url;
        this.channelBytes = b.channel.getBytes(StandardCharsets.UTF_8);
        URI uri = URI.create(b.url);
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis((int) b.timeout.toMillis())
                .socketTimeoutMillis((int) b.timeout.toMillis())
                .user(user(uri))
                .password(password(uri))
                .database(database(uri))
                .clientName("socketio-" + hostId().substring(0, 8));
        if ("rediss".equals(uri.getScheme())) {
            config.sslOptions(SslOptions.defaults());       // the JVM's trust store, host names verified
        }
        this.client = RedisClient.builder()
                .hostAndPort(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort())
                .clientConfig(config.build())
                .build();
    }

    /** A manager for a server process, on channel {@code socketio}. */
    public static RedisManager create(String url) {
        return builder(url).build();
    }

    /**
     * An emitter for a program that serves no clients (python's {@code write_only=True}), on
     * channel {@code socketio}: {@code try (Emitter e = RedisManager.emitter(url)) { e.to("room").emit("news", item); }}.
     */
    public static Emitter emitter(String url) {
        return new Emitter(builder(url).writeOnly(true).build());
    }

    /** A builder for a manager on this Redis URL. */
    public static Builder builder(String url) {
        return new Builder(url);
    }

    /** The Redis URL (as given). */
    public String url() {
        return url;
    }

    @Override
    protected void publish(byte[] message) {
        client.publish(channelBytes, message);
    }

    @Override
    protected void listen(Listener listener) {
        BinaryJedisPubSub pubSub = new BinaryJedisPubSub() {
            @Override
            public void onSubscribe(byte[] channel, int subscribedChannels) {
                listener.subscribed();
            }

            @Override
            public void onMessage(byte[] channel, byte[] message) {
                listener.message(message);
            }
        };
        subscription = pubSub;
        try {
            client.subscribe(pubSub, channelBytes);
        } finally {
            subscription = null;
        }
    }

    @Override
    protected void stopListening() {
        BinaryJedisPubSub s = subscription;
        if (s != null) {
            try {
                s.unsubscribe();
            } catch (RuntimeException e) {
                // not subscribed (yet, or any more): closing the client ends the wait
            }
        }
    }

    @Override
    protected void closeBroker() {
        client.close();
    }

    private static String user(URI uri) {
        String info = uri.getUserInfo();
        if (info == null || !info.contains(":")) {
            return null;
        }
        String user = info.substring(0, info.indexOf(':'));
        return user.isEmpty() ? null : decode(user);
    }

    private static String password(URI uri) {
        String info = uri.getUserInfo();
        if (info == null || info.isEmpty()) {
            return null;
        }
        return decode(info.contains(":") ? info.substring(info.indexOf(':') + 1) : info);
    }

    private static String decode(String s) {
        return java.net.URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static int database(URI uri) {
        String path = uri.getPath();
        if (path == null || path.length() <= 1) {
            return 0;
        }
        try {
            return Integer.parseInt(path.substring(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the path of a Redis URL is a database number: " + uri);
        }
    }

    /** Builder for {@link RedisManager}. */
    public static final class Builder {
        private final String url;
        private String channel = "socketio";
        private boolean writeOnly;
        private int queueCapacity = 10_000;
        private Duration timeout = Duration.ofSeconds(2);
        private Duration remoteAckTimeout = Duration.ofSeconds(60);

        private Builder(String url) {
            Objects.requireNonNull(url, "url");
            URI uri = URI.create(url.trim());
            if (!"redis".equals(uri.getScheme()) && !"rediss".equals(uri.getScheme())) {
                throw new IllegalArgumentException("a Redis URL starts with redis:// or rediss://: " + url);
            }
            if (uri.getHost() == null) {
                throw new IllegalArgumentException("a Redis URL names a host: " + url);
            }
            database(uri);
            this.url = url.trim();
        }

        /** The channel (default {@code socketio}, as python-socketio). */
        public Builder channel(String value) {
            this.channel = Objects.requireNonNull(value, "channel");
            return this;
        }

        /** Only publish, never listen (python's {@code write_only}); default false. */
        public Builder writeOnly(boolean value) {
            this.writeOnly = value;
            return this;
        }

        /** The most messages waiting to be published before new ones are dropped (default 10000). */
        public Builder queueCapacity(int value) {
            this.queueCapacity = value;
            return this;
        }

        /** Connect and read timeout of the Redis connections (default 2 s). */
        public Builder timeout(Duration value) {
            this.timeout = Objects.requireNonNull(value, "timeout");
            return this;
        }

        /**
         * How long a client of this process has to answer an acknowledgement another process
         * asked for, and the timeout of {@code emitWithAck} calls that give none (default 60 s).
         */
        public Builder remoteAckTimeout(Duration value) {
            this.remoteAckTimeout = Objects.requireNonNull(value, "remoteAckTimeout");
            return this;
        }

        /** Builds the manager (it connects when it first publishes or listens). */
        public RedisManager build() {
            return new RedisManager(this);
        }
    }
}
