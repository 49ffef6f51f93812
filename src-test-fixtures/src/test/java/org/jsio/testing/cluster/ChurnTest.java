package org.jsio.testing.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.jsio.socketio.ServerStats;
import org.jsio.testing.RedisServer;
import org.jsio.testing.node.NodeClient;
import org.junit.jupiter.api.Test;

/**
 * Clients come and go on one node while another node puts them in rooms and asks them for
 * acknowledgements they never give: when they have left, no room, socket or pending
 * acknowledgement is left on either node.
 */
class ChurnTest {
    private static final Duration T = NodeClient.TIMEOUT;

    @Test
    void roomsAndPendingAcknowledgementsDrainWhenClientsLeave() throws Exception {
        try (RedisServer redis = RedisServer.start();
                ClusterNode a = new ClusterNode("jetty", redis.url());
                ClusterNode b = new ClusterNode("tomcat", redis.url());
                NodeClient node = NodeClient.start()) {
            ClusterTest.awaitSubscribed(a, b);
            String opts = ClusterTest.WEBSOCKET_ONLY;
            List<CompletableFuture<List<Object>>> asked = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    String id = "r" + round + "c" + i;
                    node.connect(id, b.url("/"), opts);
                    String sid = node.awaitConnect(id, T).get("sid").getAsString();
                    ids.add(id);
                    a.sio.enterRoom(sid, "churn");
                    a.sio.enterRoom(sid, "churn-" + i);
                    asked.add(a.sio.emitWithAck(sid, Duration.ofSeconds(4), "unanswered", i));
                }
                ClusterTest.awaitCondition("round " + round + " asked and in its rooms",
                        () -> b.sio.stats().pendingAcks() == 8 && b.sio.of("/").roomMembers("churn").size() == 8);
                for (String id : ids) {
                    node.disconnect(id);
                }
                ClusterTest.awaitCondition("node B drained after round " + round,
                        () -> b.sio.stats().sockets() == 0 && b.sio.stats().rooms() == 0
                                && b.sio.stats().pendingAcks() == 0);
            }
            ClusterTest.awaitCondition("node A's pending acknowledgements expired",
                    () -> a.manager.pendingRemoteAcks() == 0);
            for (CompletableFuture<List<Object>> f : asked) {
                ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, f::get);
                assertTrue(e.getCause() instanceof TimeoutException, String.valueOf(e.getCause()));
            }
            ServerStats sa = a.sio.stats();
            ServerStats sb = b.sio.stats();
            assertEquals(0, sa.sockets() + sa.rooms() + sa.pendingAcks(), sa.toString());
            assertEquals(0, sb.sockets() + sb.rooms() + sb.pendingAcks(), sb.toString());
            assertEquals(0, a.manager.queuedMessages() + b.manager.queuedMessages());
        }
    }
}
