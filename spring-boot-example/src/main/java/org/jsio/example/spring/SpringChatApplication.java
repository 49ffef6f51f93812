package org.jsio.example.spring;

import org.jsio.example.ChatApplication;
import org.jsio.servlet.SocketIoServlet;
import org.jsio.socketio.SocketIoServer;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The example chat as a Spring Boot application: Socket.IO at {@code /socket.io/}, served by
 * {@link SocketIoServlet}, and the application's own Spring MVC endpoints on the same port, in
 * Spring Boot's embedded Tomcat (or Jetty, with {@code spring-boot-starter-jetty} in place of
 * Tomcat's starter).
 */
@SpringBootApplication
public class SpringChatApplication {

    /** Starts the application; {@code --server.port=8080} and the other Spring Boot settings apply. */
    public static void main(String[] args) {
        SpringApplication.run(SpringChatApplication.class, args);
    }

    /** The chat's Socket.IO server. */
    @Bean(destroyMethod = "close")
    SocketIoServer socketIoServer() {
        return ChatApplication.create();
    }

    /**
     * Closes the Socket.IO server as soon as the application begins to stop, before the web
     * server's graceful shutdown, which waits for the requests in progress: a held long-poll is
     * one of them until the server answers it (up to a ping interval later). Closed first, the
     * server answers every held poll and closes every WebSocket at once, and its clients see
     * their transport close (and reconnect, to another instance or once this one is back).
     */
    @Bean
    SmartLifecycle socketIoShutdown(SocketIoServer sio) {
        return new SmartLifecycle() {
            private volatile boolean running;

            @Override
            public void start() {
                running = true;
            }

            @Override
            public void stop() {
                running = false;
                sio.close();
            }

            @Override
            public boolean isRunning() {
                return running;
            }
        };
    }

    /** The servlet that serves it, asynchronous as a held long-poll needs, started with the application. */
    @Bean
    ServletRegistrationBean<SocketIoServlet> socketIoServlet(SocketIoServer sio) {
        ServletRegistrationBean<SocketIoServlet> registration =
                new ServletRegistrationBean<>(new SocketIoServlet(sio), "/socket.io/*");
        registration.setAsyncSupported(true);
        registration.setLoadOnStartup(1);
        return registration;
    }

    /** An endpoint of the application itself, beside Socket.IO on the same port. */
    @RestController
    static class Health {
        @GetMapping("/api/health")
        String health() {
            return "ok";
        }
    }
}
