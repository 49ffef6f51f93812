package org.jsio.testing.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.jsio.manager.Emitter;
import org.jsio.manager.RedisManager;
import org.jsio.testing.RedisServer;
import org.jsio.testing.node.NodeClient;
import org.junit.jupiter.api.Test;

/**
 * The URL forms of the Redis manager against a redis-server that wants a password: user and
 * password, password only, a database number and another channel. A wrong password is an outage
 * (local delivery goes on), not an exception in the caller.
 */
class RedisUrlTest {
    private static final Duration T = NodeClient.TIMEOUT;

    @Test
    void passwordsDatabasesAndChannelsFromTheUrlAndBuilder() throws Exception {
        try (RedisServer redis = RedisServer.start(List.of("--requirepass", "s3cr:t@")) ;
                NodeClient node = NodeClient.start()) {
            String withUser = "redis://default:s3cr%3At%40@127.0.0.1:" + redis.port() + "/3";
            String passwordOnly = "redis://:s3cr%3At%40@127.0.0.1:" + redis.port() + "/0";
            try (ClusterNode a = new ClusterNode("jetty", RedisManager.builder(withUser).channel("app2").build());
                    ClusterNode wrong = new ClusterNode("tomcat", RedisManager.builder(
                            "redis://:nope@127.0.0.1:" + redis.port()).channel("app2").build())) {
                ClusterTest.awaitCondition("node subscribed", () -> a.manager.subscriptions() == 1);
                String opts = ClusterTest.WEBSOCKET_ONLY;
                node.connect("u", a.url("/"), opts);
                node.awaitConnect("u", T);
                node.connect("w", wrong.url("/"), opts);
                node.awaitConnect("w", T);
                try (Emitter emitter = new Emitter(RedisManager.builder(passwordOnly).channel("app2").writeOnly(true)
                        .build())) {
                    emitter.emit("via-url", "ok");
                    assertTrue(emitter.flush(T));
                }
                assertEquals("ok", node.awaitEvent("u", "via-url", T).getAsJsonArray("args").get(0).getAsString());
                // the node with a wrong password cannot subscribe, but serves its own clients
                wrong.sio.emit("local", "still works");
                node.awaitEvent("w", "local", T);
                assertEquals(0, wrong.manager.subscriptions());
            }
        }
    }
}
