package org.jsio.testing;

import java.time.Duration;
import org.jsio.manager.Manager;
import org.jsio.socketio.Ack;
import org.jsio.socketio.SocketIoServer;

/**
 * The server behind {@code /socket.io/} in the {@link ConformanceServer}: what the official
 * Socket.IO v5 conformance suite talks to, configured as that suite expects.
 */
public final class ConformanceSocketIo {

    private ConformanceSocketIo() {
    }

    /**
     * A new Socket.IO server with the engine settings of {@link ConformanceServer#options()} and a
     * 1 s connect timeout: namespaces {@code /} and {@code /custom} emit {@code auth} with the
     * client's auth payload on connect; on {@code /}, {@code message} is sent back as
     * {@code message-back} and {@code message-with-ack} is acknowledged with its own arguments.
     * Any other namespace is refused. When the environment variable {@code SOCKETIO_REDIS_URL}
     * names a Redis server, the server joins the cluster on channel {@code socketio}
     * ({@link Manager#fromEnvironment()}). The caller closes it.
     */
    public static SocketIoServer create() {
        SocketIoServer sio = SocketIoServer.builder()
                .engineOptions(ConformanceServer.options())
                .connectTimeout(Duration.ofSeconds(1))
                .clientManager(Manager.fromEnvironment())
                .build();
        sio.onConnect((socket, auth) -> socket.emit("auth", auth));
        sio.of("/custom").onConnect((socket, auth) -> socket.emit("auth", auth));
        sio.on("message", (socket, args) -> {
            socket.emit("message-back", args);
            return null;
        });
        sio.on("message-with-ack", (socket, args) -> Ack.of(args));
        return sio;
    }
}
