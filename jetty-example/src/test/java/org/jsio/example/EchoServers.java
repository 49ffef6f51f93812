package org.jsio.example;

import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletRegistration;
import org.jsio.servlet.SocketIoMapping;
import org.jsio.servlet.SocketIoServerFactory;
import org.jsio.servlet.SocketIoServlet;
import org.jsio.socketio.SocketIoServer;

/**
 * A Socket.IO server answering {@code echo} with its argument, and the three ways a web
 * application registers it besides {@code web.xml}'s {@code factory} init-param (which the example
 * WAR uses): see {@link RegistrationTests}.
 */
public final class EchoServers {
    private EchoServers() {
    }

    /** The echo server. */
    public static SocketIoServer create() {
        SocketIoServer sio = SocketIoServer.create();
        sio.on("echo", (socket, args) -> args[0]);
        return sio;
    }

    /** Found by the container's annotation scan (it must be in the WAR's {@code WEB-INF/classes}). */
    @SocketIoMapping("/socket.io/*")
    public static final class Annotated implements SocketIoServerFactory {
        /** Instantiated by the servlet. */
        public Annotated() {
        }

        @Override
        public SocketIoServer create(ServletConfig config) {
            return EchoServers.create();
        }
    }

    /** Named by the {@code org.jsio.servlet.factory} context-param. */
    public static final class Named implements SocketIoServerFactory {
        /** Instantiated by the servlet. */
        public Named() {
        }

        @Override
        public SocketIoServer create(ServletConfig config) {
            return EchoServers.create();
        }
    }

    /** Some other servlet of the application. */
    public static final class Other extends jakarta.servlet.http.HttpServlet {
        private static final long serialVersionUID = 1L;

        /** Instantiated by the container. */
        public Other() {
        }
    }

    /** Registers the servlet in code, from a listener declared in {@code web.xml} (or {@code @WebListener}). */
    public static final class Listener implements ServletContextListener {
        private SocketIoServer sio;

        /** Instantiated by the container. */
        public Listener() {
        }

        @Override
        public void contextInitialized(ServletContextEvent event) {
            sio = EchoServers.create();
            ServletRegistration.Dynamic servlet = event.getServletContext().addServlet("socketio", new SocketIoServlet(sio));
            servlet.setAsyncSupported(true);
            servlet.setLoadOnStartup(1);
            servlet.addMapping("/socket.io/*");
        }

        @Override
        public void contextDestroyed(ServletContextEvent event) {
            sio.close();
        }
    }
}
