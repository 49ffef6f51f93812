package org.jsio.servlet;

import jakarta.servlet.ServletConfig;
import org.jsio.socketio.SocketIoServer;

/**
 * Builds the Socket.IO server that a {@link SocketIoServlet} declared in {@code web.xml} serves.
 * Name the implementing class in the servlet's {@code factory} init-param; it needs a public
 * no-argument constructor.
 *
 * <pre>{@code
 * public final class ChatServerFactory implements SocketIoServerFactory {
 *     public SocketIoServer create(ServletConfig config) {
 *         SocketIoServer sio = SocketIoServer.create();
 *         sio.on("chat", (socket, args) -> { sio.emit("chat", args[0]); return null; });
 *         return sio;
 *     }
 * }
 * }</pre>
 *
 * <p>The servlet owns the server it got this way and closes it when the servlet is destroyed.
 */
@FunctionalInterface
public interface SocketIoServerFactory {

    /**
     * Creates the server for one servlet.
     *
     * @param config the servlet's configuration (init-params, servlet context)
     * @throws Exception when the server cannot be built; the servlet then fails to initialise
     */
    SocketIoServer create(ServletConfig config) throws Exception;
}
