package org.jsio.testing.cluster;

import io.socket.client.Ack;
import io.socket.client.IO;
import io.socket.client.Socket;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * An official Java client that records every event it receives, in order, and can wait for one.
 */
final class JavaPeer implements AutoCloseable {
    static final long TIMEOUT_SECONDS = 15;

    final Socket socket;
    private final List<Object[]> events = new ArrayList<>();
    private final BlockingQueue<Object[]> connected = new ArrayBlockingQueue<>(1);
    private final List<String> disconnects = new ArrayList<>();

    JavaPeer(String url) {
        IO.Options options = IO.Options.builder().setForceNew(true).setReconnection(false)
                .setTransports(new String[] {"websocket"}).build();
        socket = IO.socket(URI.create(url), options);
        socket.onAnyIncoming(args -> {
            synchronized (events) {
                events.add(args);
                events.notifyAll();
            }
        });
        socket.on(Socket.EVENT_CONNECT, args -> connected.offer(args));
        socket.on(Socket.EVENT_DISCONNECT, args -> {
            synchronized (events) {
                disconnects.add(String.valueOf(args.length > 0 ? args[0] : ""));
                events.notifyAll();
            }
        });
    }

    /** Connects and returns the socket id. */
    JavaPeer connect() throws InterruptedException {
        socket.connect();
        if (connected.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS) == null) {
            throw new AssertionError("Java client did not connect");
        }
        return this;
    }

    String id() {
        return socket.id();
    }

    /** Answers every {@code event} that asks for an acknowledgement with {@code answer(args)}. */
    void answer(String event, java.util.function.Function<Object[], Object> answer) {
        socket.on(event, args -> {
            if (args.length > 0 && args[args.length - 1] instanceof Ack) {
                ((Ack) args[args.length - 1]).call(answer.apply(Arrays.copyOf(args, args.length - 1)));
            }
        });
    }

    /** Waits for an event whose arguments (after the name) match, and returns them. */
    Object[] await(String event, Predicate<Object[]> match) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        synchronized (events) {
            while (true) {
                for (Object[] e : events) {
                    if (event.equals(e[0]) && match.test(Arrays.copyOfRange(e, 1, e.length))) {
                        return Arrays.copyOfRange(e, 1, e.length);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no '" + event + "' on " + id() + "; got " + names());
                }
                TimeUnit.NANOSECONDS.timedWait(events, left);
            }
        }
    }

    /** Waits for the client to be disconnected and returns the reason. */
    String awaitDisconnect() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        synchronized (events) {
            while (disconnects.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("Java client " + id() + " was not disconnected");
                }
                TimeUnit.NANOSECONDS.timedWait(events, left);
            }
            return disconnects.get(0);
        }
    }

    /** How many received events named {@code event} have a first argument equal to {@code first}. */
    int count(String event, Object first) {
        synchronized (events) {
            int n = 0;
            for (Object[] e : events) {
                if (event.equals(e[0]) && e.length > 1 && String.valueOf(first).equals(String.valueOf(e[1]))) {
                    n++;
                }
            }
            return n;
        }
    }

    List<String> disconnects() {
        synchronized (events) {
            return List.copyOf(disconnects);
        }
    }

    private List<String> names() {
        List<String> out = new ArrayList<>();
        for (Object[] e : events) {
            out.add(e[0] + (e.length > 1 ? ":" + e[1] : ""));
        }
        return out;
    }

    @Override
    public void close() {
        socket.close();
    }
}
