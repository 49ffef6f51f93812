package org.jsio.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A server that accepts connections but never answers a handshake (as Tomcat does past its
 * connection limit) makes the generator give up and report what it has, instead of waiting forever.
 */
@Timeout(60)
class UnansweredHandshakeTest {

    @Test
    void connectStopsAfterAWindowOfUnansweredHandshakes() throws Exception {
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept());
                    }
                } catch (IOException e) {
                    // closed at the end of the test
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();

            LoadGenerator.Config c = new LoadGenerator.Config();
            c.target = "http://127.0.0.1:" + silent.getLocalPort();
            c.scenario = "connect";
            c.clients = 50;
            c.concurrency = 3;
            c.connectTimeoutSeconds = 1;
            List<String> phases = new CopyOnWriteArrayList<>();
            c.phases = phases::add;
            Map<String, Object> r = LoadGenerator.run(c);

            assertEquals(0, ((Number) r.get("clientsReady")).intValue());
            // the first window times out; clients started while it did may time out too, no more
            int errors = ((Number) r.get("errors")).intValue();
            assertTrue(errors >= 3 && errors < 2 * 3, () -> "about one window of clients tried: " + r);
            assertTrue(String.valueOf(r.get("firstError")).contains("no answer within 1 s"), () -> r.toString());
            assertEquals(List.of("connected 0"), phases);
        } finally {
            for (Socket s : accepted) {
                s.close();
            }
        }
    }
}
