package org.jsio.manager;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import org.jsio.json.JsonMapper;

/**
 * What a {@link Manager} needs from the server it serves: delivery to the clients connected to
 * this process (the manager keeps their rooms itself).
 * {@code SocketIoServer} implements it and hands it to {@link Manager#initialize}; applications
 * do not implement it. Every method acts on this process only and never blocks.
 */
public interface ManagedServer {

    /** Sends an event to the selected clients of this process. */
    void emitLocal(Emit emit);

    /**
     * Sends an event to the selected clients of this process, each asked to acknowledge it;
     * {@code onAck} receives every client's answer (on the server's executor).
     *
     * @param ackTimeout how long each client has to answer
     */
    void emitLocal(Emit emit, Duration ackTimeout, Consumer<List<Object>> onAck);

    /**
     * Sends an event to one client of this process and asks it to acknowledge it; {@code null}
     * when the client is not connected here.
     */
    CompletableFuture<List<Object>> emitWithAckLocal(String namespace, String sid, Duration timeout,
            String event, Object... args);

    /** Disconnects a client of this process from a namespace; false when it is not here. */
    boolean disconnectLocal(String namespace, String sid);

    /** The mapper that turns application objects into JSON trees. */
    JsonMapper jsonMapper();

    /** The executor for application callbacks. */
    Executor executor();

    /** The scheduler for timeouts. */
    ScheduledExecutorService scheduler();
}
