package org.jsio.testing.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The driver itself, without any Socket.IO server: failures are reported and the process ends cleanly. */
class NodeClientSelfTest {

    @Test
    void reportsConnectErrorsWhereNothingListensAndExitsCleanly() throws IOException {
        String url = "http://127.0.0.1:" + closedPort() + "/";
        NodeClient node = NodeClient.start();
        try {
            node.connect("polling", url, "{\"reconnection\":false}");
            node.connect("ws", url, "{\"reconnection\":false,\"forceNew\":true,\"transports\":[\"websocket\"]}");

            JsonObject polling = node.awaitType("connect_error", "polling", NodeClient.TIMEOUT);
            JsonObject ws = node.awaitType("connect_error", "ws", NodeClient.TIMEOUT);
            assertEquals("xhr poll error", polling.get("message").getAsString());
            assertEquals("websocket error", ws.get("message").getAsString());

            node.emit("nobody", "e");
            JsonObject error = node.awaitType("error", "nobody", NodeClient.TIMEOUT);
            assertEquals("unknown client nobody", error.get("message").getAsString());
        } finally {
            node.close();
        }
        assertFalse(node.isAlive());
        assertEquals(0, node.exitValue(), node::stderr);
        assertEquals("closed", node.received().get(node.received().size() - 1).get("type").getAsString());
    }

    @Test
    void encodesBinaryAnywhereInArgs() {
        JsonElement encoded = NodeClient.toJson(Map.of("list", List.of(new byte[] {1, 2, 3}, "x")));
        assertEquals("{\"list\":[{\"$bin\":\"AQID\"},\"x\"]}", encoded.toString());
        JsonElement bin = encoded.getAsJsonObject().getAsJsonArray("list").get(0);
        assertArrayEquals(new byte[] {1, 2, 3}, NodeClient.bytes(bin));
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
