package org.jsio.example;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.startup.Tomcat;
import org.jsio.testing.Folders;
import org.jsio.testing.TextMessages;
import org.junit.jupiter.api.Test;

/**
 * Deploys and undeploys the example WAR on one embedded Tomcat again and again, each time with
 * Socket.IO clients connected over long-polling and over WebSocket, and checks that nothing stays
 * behind: the threads are those of before the first deployment, Tomcat's class loader logs no
 * "appears to have started a thread" or other leak warning when a deployment stops, and
 * {@link StandardHost#findReloadedContextMemoryLeaks} (which collects garbage first) finds no web
 * application class loader still reachable. It does so twice: with WebSockets upgraded through
 * the Servlet API (the default on Tomcat), and through Tomcat's Jakarta WebSocket layer, chosen
 * for every deployment by the context parameter in the server's {@code conf/context.xml}.
 *
 * <p>{@value #RUNS_PROPERTY} sets the number of deployments (default 3):
 * {@code mvn -B -ntp verify -pl tomcat-example -am -Dtest=RedeployLeakTest -Dsurefire.failIfNoSpecifiedTests=false -Djsio.redeploy.runs=20}.
 */
class RedeployLeakTest {
    static final String RUNS_PROPERTY = "jsio.redeploy.runs";
    /** SocketIoServlet's context parameter switching the Servlet API's upgrade off (the WAR has the library). */
    private static final String SERVLET_UPGRADE_PARAM = "org.jsio.servlet.servletUpgrade";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Pattern SID = Pattern.compile("\"sid\":\"([^\"]+)\"");

    @Test
    void deployingAndUndeployingTheWarLeavesNoThreadsAndNoClassLoaders() throws Exception {
        redeploy(false);
    }

    @Test
    void theSameWithWebSocketsThroughTheJakartaApi() throws Exception {
        redeploy(true);
    }

    private static void redeploy(boolean jakartaWebSockets) throws Exception {
        int runs = Integer.getInteger(RUNS_PROPERTY, 3);
        List<String> warnings = Collections.synchronizedList(new ArrayList<>());
        // kept in a field of this frame: java.util.logging holds loggers weakly
        Logger loaderLog = Logger.getLogger("org.apache.catalina.loader.WebappClassLoaderBase");
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                    warnings.add(record.getLevel() + " " + String.format(record.getMessage(), record.getParameters()));
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        loaderLog.addHandler(capture);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(15)).build();
        Path baseDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "redeploy-");
        Tomcat tomcat = new Tomcat();
        try {
            tomcat.setBaseDir(baseDir.toString());
            Files.createDirectories(baseDir.resolve("webapps"));
            if (jakartaWebSockets) {
                // read by every deployment, as an administrator would set it
                Files.createDirectories(baseDir.resolve("conf"));
                Files.writeString(baseDir.resolve("conf/context.xml"),
                        "<Context><Parameter name=\"" + SERVLET_UPGRADE_PARAM + "\" value=\"false\"/></Context>");
            }
            Connector connector = new Connector();
            connector.setProperty("address", "127.0.0.1");
            connector.setPort(0);
            tomcat.setConnector(connector);
            StandardHost host = (StandardHost) tomcat.getHost();
            host.setAutoDeploy(false);
            tomcat.start();
            String base = RunningChat.baseUrl("127.0.0.1", connector.getLocalPort());
            Set<String> baseline = threadNames();
            long started = System.nanoTime();

            for (int run = 1; run <= runs; run++) {
                Context context = TomcatMain.deploy(tomcat, RunningChat.defaultWar(), "/chat");
                assertEquals(LifecycleState.STARTED, context.getState(), "deployment " + run + " did not start");

                connectAndChat(http, base + "/chat", run);
                WebSocket webSocket = connectWebSocket(http, base + "/chat", run);

                context.stop(); // as an undeploy does: stop, then remove (which destroys it)
                host.removeChild(context);
                webSocket.abort();
                awaitThreads(baseline, run);
            }
            long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

            String[] leaks = new String[0];
            long deadline = System.nanoTime() + WAIT.toNanos();
            do {
                leaks = host.findReloadedContextMemoryLeaks(); // runs System.gc() first
            } while (leaks.length > 0 && System.nanoTime() < deadline);
            assertArrayEquals(new String[0], leaks, "web application class loaders still reachable");
            // Tomcat looks for the application's threads as soon as it has stopped it: SocketIoServer.close()
            // must have ended its handler and scheduler threads by then, not only shut their pools down.
            assertEquals(List.of(), warnings, "Tomcat's leak warnings");
            System.out.println("redeploy (WebSockets through " + (jakartaWebSockets ? "the Jakarta API" : "the Servlet API")
                    + "): " + runs + " deployments in " + elapsed + " ms; threads back to the " + baseline.size()
                    + " of before after each; no class loader left; no leak warning");
        } finally {
            loaderLog.removeHandler(capture);
            tomcat.stop();
            tomcat.destroy();
            Folders.deleteTree(baseDir);
        }
    }

    /** A Socket.IO client connects over long-polling and sends a chat message, left connected. */
    private static void connectAndChat(HttpClient http, String base, int run) throws Exception {
        String endpoint = base + "/socket.io/?EIO=4&transport=polling";
        HttpResponse<String> open = http.send(HttpRequest.newBuilder(URI.create(endpoint)).build(),
                HttpResponse.BodyHandlers.ofString());
        Matcher sid = SID.matcher(open.body());
        assertTrue(open.statusCode() == 200 && sid.find(), "run " + run + ": " + open.body());
        String session = endpoint + "&sid=" + sid.group(1);
        assertEquals("ok", post(http, session, "40{\"name\":\"run" + run + "\"}"));
        assertTrue(get(http, session).startsWith("40{\"sid\":"));
        assertEquals("ok", post(http, session, "421[\"join\",\"lobby\"]"));
        // the "joined" broadcast and the acknowledgement, in one answer or two
        StringBuilder received = new StringBuilder();
        for (int polls = 0; polls < 2 && received.indexOf("431[{") < 0; polls++) {
            received.append(get(http, session)).append('\n');
        }
        assertTrue(received.indexOf("431[{") >= 0 && received.indexOf("\"room\":\"lobby\"") >= 0, received::toString);
    }

    /**
     * A Socket.IO client connects over WebSocket and is left connected, so that the deployment's
     * stop has a WebSocket to close.
     */
    private static WebSocket connectWebSocket(HttpClient http, String base, int run) throws Exception {
        TextMessages frames = new TextMessages();
        WebSocket ws = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(15))
                .buildAsync(URI.create(base.replaceFirst("^http", "ws") + "/socket.io/?EIO=4&transport=websocket"), frames)
                .get(30, TimeUnit.SECONDS);
        String open = frames.poll(Duration.ofSeconds(30));
        assertTrue(open != null && open.startsWith("0{\"sid\":"), "run " + run + ": " + open);
        ws.sendText("40{\"name\":\"ws" + run + "\"}", true).get(30, TimeUnit.SECONDS);
        String connected = frames.poll(Duration.ofSeconds(30));
        assertTrue(connected != null && connected.startsWith("40{\"sid\":"), "run " + run + ": " + connected);
        return ws;
    }

    private static String get(HttpClient http, String uri) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static String post(HttpClient http, String uri, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Waits until the live threads are those of the baseline (container pools and the test's HTTP client aside). */
    private static void awaitThreads(Set<String> baseline, int run) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Set<String> extra;
        while (true) {
            extra = threadNames();
            extra.removeAll(baseline);
            if (extra.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                break;
            }
            TimeUnit.MILLISECONDS.sleep(100); // polling a condition with a deadline
        }
        throw new AssertionError("after undeploy " + run + ", threads left: " + extra);
    }

    private static Set<String> threadNames() {
        Set<String> names = new TreeSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String n = t.getName();
            // the connector's request pool grows on demand; the test's own HTTP client has its workers
            if (t.isAlive() && !n.startsWith("http-nio-") && !n.startsWith("HttpClient-")) {
                names.add(n);
            }
        }
        return names;
    }
}
