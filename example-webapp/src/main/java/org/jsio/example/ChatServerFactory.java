package org.jsio.example;

import jakarta.servlet.ServletConfig;
import org.jsio.servlet.SocketIoServerFactory;
import org.jsio.socketio.SocketIoServer;

/**
 * Builds the chat server for the {@code SocketIoServlet} that {@code WEB-INF/web.xml} declares (its
 * {@code factory} init-param names this class). The servlet owns the server and closes it when the
 * web application stops.
 */
public final class ChatServerFactory implements SocketIoServerFactory {

    /** Used by the servlet, through its {@code factory} init-param. */
    public ChatServerFactory() {
    }

    @Override
    public SocketIoServer create(ServletConfig config) {
        return ChatApplication.create();
    }
}
