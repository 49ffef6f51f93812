package org.jsio.example;

/**
 * The example chat, started on a container by {@link JettyMain#start} or {@code TomcatMain.start}:
 * where it listens, waiting for it to stop, and stopping it.
 */
public interface RunningChat extends AutoCloseable {

    /** Where the chat page is served, such as {@code http://127.0.0.1:8080}, without a trailing slash. */
    String baseUrl();

    /** Blocks until the container has stopped. */
    void join() throws InterruptedException;

    /** Stops the container, then the Socket.IO server; safe to call more than once. */
    @Override
    void close();

    /** {@code http://host:port}, with an IPv6 host in brackets. */
    static String baseUrl(String host, int port) {
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
