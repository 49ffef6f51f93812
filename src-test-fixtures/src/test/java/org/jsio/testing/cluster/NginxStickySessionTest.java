package org.jsio.testing.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jsio.testing.Await;
import org.jsio.testing.Folders;
import org.jsio.testing.RedisServer;
import org.jsio.testing.node.NodeClient;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Two nodes behind a real nginx with the sticky-session configuration of the README
 * ({@code ip_hash}, WebSocket upgrade headers): long-polling clients stay on their node, upgrades
 * pass the proxy, and emits and acknowledgements reach them from the other node through Redis.
 * Runs when nginx is installed (Debian's {@code nginx} package).
 */
class NginxStickySessionTest {
    private static final Duration T = NodeClient.TIMEOUT;

    static String nginx() {
        for (String p : new String[] {"/usr/sbin/nginx", "/usr/bin/nginx"}) {
            if (Files.isExecutable(Path.of(p))) {
                return p;
            }
        }
        return null;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    private static String config(Path dir, int port, ClusterNode a, ClusterNode b) {
        String d = dir.toString();
        return "daemon off;\nmaster_process off;\nworker_processes 1;\npid " + d + "/nginx.pid;\n"
                + "error_log " + d + "/error.log warn;\nevents { worker_connections 256; }\nhttp {\n"
                + "  access_log off;\n  client_body_temp_path " + d + "/body;\n  proxy_temp_path " + d + "/proxy;\n"
                + "  fastcgi_temp_path " + d + "/fastcgi;\n  uwsgi_temp_path " + d + "/uwsgi;\n"
                + "  scgi_temp_path " + d + "/scgi;\n"
                + "  upstream socketio_nodes {\n    ip_hash;\n    server 127.0.0.1:" + a.container.port() + ";\n"
                + "    server 127.0.0.1:" + b.container.port() + ";\n  }\n"
                + "  server {\n    listen 127.0.0.1:" + port + ";\n    location / {\n"
                + "      proxy_pass http://socketio_nodes;\n      proxy_http_version 1.1;\n"
                + "      proxy_set_header Upgrade $http_upgrade;\n      proxy_set_header Connection \"upgrade\";\n"
                + "      proxy_set_header Host $host;\n"
                + "      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
                + "      proxy_read_timeout 75s;\n    }\n  }\n}\n";
    }

    @Test
    void pollingAndUpgradedClientsBehindNginxTakePartInTheCluster() throws Exception {
        String nginx = nginx();
        Assumptions.assumeTrue(nginx != null, "nginx is not installed");
        Path dir = Files.createTempDirectory("jsio-nginx-");
        Process proxy = null;
        try (RedisServer redis = RedisServer.start();
                ClusterNode a = new ClusterNode("jetty", redis.url());
                ClusterNode b = new ClusterNode("tomcat", redis.url());
                NodeClient node = NodeClient.start()) {
            int port = freePort();
            Files.writeString(dir.resolve("nginx.conf"), config(dir, port, a, b));
            proxy = new ProcessBuilder(nginx, "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("out.log").toFile()).start();
            awaitListening(proxy, port, dir);
            ClusterTest.awaitSubscribed(a, b);

            String base = "http://127.0.0.1:" + port + "/";
            node.connect("up", base, "{\"forceNew\":true,\"reconnection\":false}");
            String upSid = node.awaitConnect("up", T).get("sid").getAsString();
            node.awaitType("upgrade", "up", T);
            node.connect("poll", base, "{\"forceNew\":true,\"reconnection\":false,\"transports\":[\"polling\"]}");
            String pollSid = node.awaitConnect("poll", T).get("sid").getAsString();

            ClusterNode home = a.sio.socket(upSid) != null ? a : b;
            ClusterNode other = home == a ? b : a;
            assertTrue(home.sio.socket(pollSid) != null, "ip_hash sends one address to one node");

            node.ackWith("poll", "question", "from-polling");
            for (int i = 0; i < 5; i++) {
                other.sio.emit("news", "n" + i);
            }
            for (String id : List.of("up", "poll")) {
                node.await(r -> "event".equals(r.get("type").getAsString()) && id.equals(r.get("id").getAsString())
                        && "news".equals(r.get("event").getAsString())
                        && "n4".equals(r.getAsJsonArray("args").get(0).getAsString()), T);
            }
            assertEquals(List.of("from-polling"), other.sio.call(pollSid, T, "question"));
            assertEquals(0, node.received().stream().filter(r -> "disconnect".equals(r.get("type").getAsString()))
                    .count());
        } finally {
            if (proxy != null) {
                proxy.destroy();
                if (!proxy.waitFor(10, TimeUnit.SECONDS)) {
                    proxy.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            Folders.deleteTree(dir);
        }
    }

    private static void awaitListening(Process proxy, int port, Path dir) throws Exception {
        Await.until(() -> {
            if (!proxy.isAlive()) {
                throw new AssertionError("nginx exited: " + readIfExists(dir.resolve("out.log"))
                        + readIfExists(dir.resolve("error.log")));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return true;
            } catch (IOException e) {
                return false;
            }
        }, Duration.ofSeconds(20), () -> "nginx is not listening on " + port + readIfExists(dir.resolve("error.log")));
    }

    private static String readIfExists(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return "(" + p + " unreadable: " + e + ")";
        }
    }
}
