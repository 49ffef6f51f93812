package org.jsio.testing;

import java.util.concurrent.CountDownLatch;

/** Runs a started server in the foreground of a command-line program until the JVM is asked to stop. */
public final class Foreground {
    private Foreground() {
    }

    /**
     * Prints {@code listening on BASE-URL}, then waits until SIGTERM or Ctrl-C, when {@code server}
     * is closed before the JVM exits.
     */
    public static void serveUntilStopped(AutoCloseable server, String baseUrl, String name)
            throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (Exception e) {
                System.err.println(name + ": closing failed: " + e);
            } finally {
                stopped.countDown();
            }
        }, name + "-shutdown"));
        System.out.println("listening on " + baseUrl);
        System.out.flush();
        stopped.await();
    }
}
