package org.jsio.testing.cluster;

import java.time.Duration;
import org.jsio.manager.RedisManager;
import org.jsio.servlet.SocketIoServlet;
import org.jsio.socketio.SocketIoServer;
import org.jsio.testing.EmbeddedContainer;

/** One server process of a cluster: an embedded container with its own server and Redis manager. */
final class ClusterNode implements AutoCloseable {
    final SocketIoServer sio;
    final RedisManager manager;
    final EmbeddedContainer container;

    ClusterNode(String kind, String redisUrl) throws Exception {
        this(kind, RedisManager.builder(redisUrl).remoteAckTimeout(Duration.ofSeconds(20)).build());
    }

    ClusterNode(String kind, RedisManager manager) throws Exception {
        this.manager = manager;
        sio = SocketIoServer.builder().clientManager(manager).build();
        sio.of("/chat");
        sio.on("join", (socket, args) -> {
            socket.enterRoom((String) args[0]);
            return "joined";
        });
        container = EmbeddedContainer.create(kind);
        container.mount("/socket.io/*", new SocketIoServlet(sio.engine())).start(0);
    }

    String url(String namespace) {
        return container.baseUrl() + namespace;
    }

    @Override
    public void close() {
        sio.close();
        container.close();
    }
}
