package org.jsio.testing.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socket.client.IO;
import io.socket.client.Socket;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jsio.servlet.SocketIoServlet;
import org.jsio.socketio.Ack;
import org.jsio.socketio.SocketIoServer;
import org.jsio.testing.EmbeddedTomcat;
import org.jsio.testing.node.NodeClient;
import org.junit.jupiter.api.Test;

/**
 * On Tomcat, handlers run on the connector's threads (see README): handlers that block must not
 * take so many of them that Tomcat can no longer read its clients or serve the web application.
 * Official Java clients against a Tomcat whose pool is smaller than the server's bound.
 */
class TomcatPoolTest {
    private static final Duration WAIT = NodeClient.TIMEOUT;
    private static final int TOMCAT_THREADS = 8;
    private static final int BLOCKED = 10;

    @Test
    void blockingHandlersLeaveASmallTomcatPoolHalfItsThreads() throws Exception {
        CountDownLatch entered = new CountDownLatch(BLOCKED);
        CountDownLatch release = new CountDownLatch(1);
        SocketIoServer server = SocketIoServer.builder().build();
        server.on("block", (socket, args) -> {
            entered.countDown();
            assertTrue(release.await(WAIT.toSeconds() * 4, TimeUnit.SECONDS));
            return Ack.of("released");
        });
        server.on("echo", (socket, args) -> Ack.of(args));
        List<Socket> clients = new ArrayList<>();
        try (EmbeddedTomcat tomcat = new EmbeddedTomcat()
                .connectorProperty("maxThreads", Integer.toString(TOMCAT_THREADS))
                .connectorProperty("minSpareThreads", "2")
                .mount("/socket.io/*", new SocketIoServlet(server))
                .mount("/plain", new PlainServlet())) {
            tomcat.start(0);
            List<BlockingQueue<Object[]>> answers = new ArrayList<>();
            for (int i = 0; i < BLOCKED; i++) {
                Socket client = connect(tomcat);
                clients.add(client);
                BlockingQueue<Object[]> answer = new ArrayBlockingQueue<>(1);
                answers.add(answer);
                client.emit("block", new Object[] {i}, (io.socket.client.Ack) answer::add);
            }
            // with every Tomcat thread held, the last clients' events would not even be read
            assertTrue(entered.await(WAIT.toSeconds(), TimeUnit.SECONDS),
                    (BLOCKED - entered.getCount()) + " of " + BLOCKED + " handlers started");
            int onTomcat = server.stats().containerHandlers();
            assertTrue(onTomcat <= TOMCAT_THREADS / 2, onTomcat + " handlers hold Tomcat's threads");

            // Tomcat still reads and answers: a new client, and the web application
            Socket other = connect(tomcat);
            clients.add(other);
            BlockingQueue<Object[]> echoed = new ArrayBlockingQueue<>(1);
            other.emit("echo", new Object[] {"still here"}, (io.socket.client.Ack) echoed::add);
            Object[] args = echoed.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertNotNull(args, "no echo while " + BLOCKED + " handlers block");
            assertEquals("still here", args[0]);
            HttpResponse<String> page = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(tomcat.baseUrl() + "/plain")).timeout(WAIT).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals("plain", page.body());

            release.countDown();
            for (BlockingQueue<Object[]> answer : answers) {
                Object[] released = answer.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertNotNull(released, "a blocked handler never answered");
                assertEquals("released", released[0]);
            }
        } finally {
            release.countDown();
            clients.forEach(Socket::close);
            server.close();
        }
    }

    private static Socket connect(EmbeddedTomcat tomcat) throws InterruptedException {
        Socket client = IO.socket(URI.create(tomcat.baseUrl() + "/"), IO.Options.builder()
                .setForceNew(true).setReconnection(false).setTransports(new String[] {"websocket"}).build());
        CountDownLatch connected = new CountDownLatch(1);
        client.once(Socket.EVENT_CONNECT, a -> connected.countDown());
        client.connect();
        assertTrue(connected.await(WAIT.toSeconds(), TimeUnit.SECONDS), "a client did not connect");
        return client;
    }

    /** A page of the web application beside the Socket.IO servlet. */
    private static final class PlainServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.setContentType("text/plain");
            response.getWriter().write("plain");
        }
    }
}
