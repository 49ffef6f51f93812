package org.jsio.example;

import java.nio.file.Path;

/**
 * The example chat, started on a container by {@link JettyMain#start} or {@code TomcatMain.start}
 * (or deployed to a stand-alone container by a test): where it listens, waiting for it to stop, and
 * stopping it.
 */
public interface RunningChat extends AutoCloseable {

    /** The system property naming the example WAR the launchers deploy by default. */
    String WAR_PROPERTY = "jsio.example.war";

    /** Where the chat page is served, such as {@code http://127.0.0.1:8080}, without a trailing slash. */
    String baseUrl();

    /** Blocks until the container has stopped. */
    void join() throws InterruptedException;

    /** Stops the container (and with it the web application and its Socket.IO server); safe to call more than once. */
    @Override
    void close();

    /** {@code http://host:port}, with an IPv6 host in brackets. */
    static String baseUrl(String host, int port) {
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /**
     * The example WAR: the system property {@value #WAR_PROPERTY}, else
     * {@code target/example-webapp.war} of the working directory (where each example module's
     * build copies it).
     */
    static Path defaultWar() {
        return Path.of(System.getProperty(WAR_PROPERTY, "target/example-webapp.war"));
    }
}
