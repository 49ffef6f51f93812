package org.jsio.testing.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jsio.testing.ErrorOutput;
import org.jsio.testing.RedisServer;
import org.jsio.testing.node.NodeClient;
import org.junit.jupiter.api.Test;

/**
 * Redis goes away and comes back during a run: local delivery goes on meanwhile, emits do not
 * block, and once Redis is back the listeners have subscribed again and cluster broadcasts flow,
 * with no server restarted and no client disconnected. The outage is logged once per manager, when
 * it starts and when it ends, not once per message.
 */
class RedisRestartTest {
    private static final Duration T = NodeClient.TIMEOUT;

    private static void await(NodeClient node, String id, String event, String token) {
        node.await(r -> "event".equals(r.get("type").getAsString()) && r.has("id")
                && id.equals(r.get("id").getAsString()) && event.equals(r.get("event").getAsString())
                && token.equals(r.getAsJsonArray("args").get(0).getAsString()), T);
    }

    private static int count(String text, String phrase) {
        Matcher m = Pattern.compile(Pattern.quote(phrase)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Test
    void clusterBroadcastsFlowAgainAfterARedisRestart() throws Exception {
        try (ErrorOutput log = new ErrorOutput();
                RedisServer redis = RedisServer.start();
                ClusterNode a = new ClusterNode("jetty", redis.url());
                ClusterNode b = new ClusterNode("tomcat", redis.url());
                NodeClient node = NodeClient.start()) {
            ClusterTest.awaitSubscribed(a, b);
            String opts = ClusterTest.WEBSOCKET_ONLY;
            node.connect("ra", a.url("/"), opts);
            String sidA = node.awaitConnect("ra", T).get("sid").getAsString();
            node.connect("rb", b.url("/"), opts);
            String sidB = node.awaitConnect("rb", T).get("sid").getAsString();
            try (JavaPeer javaB = new JavaPeer(b.url("/")).connect()) {
                String javaSid = javaB.id();
                a.sio.emit("news", "before");
                await(node, "rb", "news", "before");
                javaB.await("news", args -> "before".equals(args[0]));

                redis.stop();
                // local delivery goes on, and emits return, while Redis is away
                for (int i = 0; i < 200; i++) {
                    a.sio.emit("during", "d" + i);
                }
                await(node, "ra", "during", "d199");
                b.sio.emit("during", "local-b");
                await(node, "rb", "during", "local-b");
                javaB.await("during", args -> "local-b".equals(args[0]));

                redis.restart();
                ClusterTest.awaitCondition("both subscribed again", () -> a.manager.subscriptions() >= 2
                        && b.manager.subscriptions() >= 2);
                a.sio.emit("news", "after-from-a");
                await(node, "rb", "news", "after-from-a");
                javaB.await("news", args -> "after-from-a".equals(args[0]));
                b.sio.emit("news", "after-from-b");
                await(node, "ra", "news", "after-from-b");

                // nobody was disconnected: same sockets, no disconnect reports
                assertNotNull(a.sio.socket(sidA));
                assertNotNull(b.sio.socket(sidB));
                assertNotNull(b.sio.socket(javaSid));
                assertTrue(javaB.disconnects().isEmpty(), "Java client disconnected: " + javaB.disconnects());
                assertEquals(0, node.received().stream()
                        .filter(r -> "disconnect".equals(r.get("type").getAsString())).count());
                assertEquals(0, a.manager.droppedMessages());

                // two managers, one outage: each says once that it lost the channel and once that it is back
                // (a manager logs "back" just after it has used the channel again, so wait for those lines)
                ClusterTest.awaitCondition("both managers logged the end of the outage",
                        () -> count(log.text(), "subscribed to channel 'socketio' again") >= 2
                                && count(log.text(), "publishing on channel 'socketio' works again") >= 2);
                String text = log.text();
                assertEquals(2, count(text, "lost the subscription to channel 'socketio'"), text);
                assertEquals(2, count(text, "subscribed to channel 'socketio' again"), text);
                assertEquals(2, count(text, "cannot publish on channel 'socketio'"), text);
                assertEquals(2, count(text, "publishing on channel 'socketio' works again"), text);
                assertEquals(0, count(text, "] ERROR org.jsio."), text);
            }
        }
    }
}
