package org.jsio.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jsio.socketio.Socket;
import org.jsio.socketio.SocketIoServer;
import org.junit.jupiter.api.Test;

/** {@link Socket#current()} names the client whose handler runs, and nobody once it returned. */
class CurrentSocketTest {
    @Test
    void currentSocketIsClearedWhenTheHandlerReturns() throws Exception {
        ExecutorService handlers = Executors.newSingleThreadExecutor();
        try (SocketIoServer sio = SocketIoServer.builder().executor(handlers).build()) {
            sio.on("who", (socket, args) -> Socket.current().id());
            try (SocketIoTestClient a = SocketIoTestClient.connect(sio);
                    SocketIoTestClient b = SocketIoTestClient.connect(sio)) {
                List<Object> first = a.emitWithAck("who");
                List<Object> second = b.emitWithAck("who");
                assertEquals(1, first.size());
                assertEquals(1, second.size());
                assertNotNull(first.get(0));
                // the same (only) handler thread, another client: its own socket, not the last one
                assertNotEquals(first.get(0), second.get(0));
                assertEquals(first, a.emitWithAck("who"));
            }
            // the handler thread, after the handlers returned: no current socket any more
            CompletableFuture<Object> after = new CompletableFuture<>();
            handlers.execute(() -> {
                try {
                    after.complete(Socket.current());
                } catch (RuntimeException e) {
                    after.complete(e);
                }
            });
            assertInstanceOf(IllegalStateException.class, after.get(5, TimeUnit.SECONDS));
        } finally {
            handlers.shutdownNow();
            handlers.awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
