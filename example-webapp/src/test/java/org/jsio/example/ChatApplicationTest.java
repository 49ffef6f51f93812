package org.jsio.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jsio.socketio.SocketIoServer;
import org.jsio.testing.SocketIoTestClient;
import org.junit.jupiter.api.Test;

/** The chat's handlers, with in-process clients. */
class ChatApplicationTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void aMessageSentBeforeJoiningARoomIsNotAcknowledgedAsDelivered() throws Exception {
        try (SocketIoServer sio = ChatApplication.create();
             SocketIoTestClient ann = client(sio, "ann");
             SocketIoTestClient bob = client(sio, "bob")) {
            // what a reconnecting page's buffered message meets: a new session, in no room yet
            assertEquals(List.of(ChatApplication.NOT_IN_A_ROOM), ann.emitWithAck("chat", "too early"));
            assertEquals(List.of(ChatApplication.NOT_IN_A_ROOM), ann.emitWithAck("image", new byte[] {1, 2}));

            join(ann, "lobby");
            join(bob, "lobby");
            assertEquals(List.of("delivered"), ann.emitWithAck("chat", "hello"));
            assertEquals("hello", ((Map<?, ?>) bob.awaitEvent("chat", WAIT).args().get(0)).get("text"));
            assertTrue(bob.getReceived().stream().noneMatch(r -> r.args().toString().contains("too early")));
        }
    }

    @Test
    void typingAndStopTypingGoToTheOthersInTheRoom() throws Exception {
        try (SocketIoServer sio = ChatApplication.create();
             SocketIoTestClient ann = client(sio, "ann");
             SocketIoTestClient bob = client(sio, "bob")) {
            join(ann, "lobby");
            join(bob, "lobby");
            ann.getReceived();
            ann.emit("typing");
            assertEquals(List.of("ann"), bob.awaitEvent("typing", WAIT).args());
            ann.emit("stop typing");
            assertEquals(List.of("ann"), bob.awaitEvent("stop typing", WAIT).args());
            // the sender hears nothing of its own typing; a marker event shows its queue is drained
            assertEquals(List.of("delivered"), ann.emitWithAck("chat", "marker"));
            assertTrue(ann.getReceived().stream().noneMatch(r -> r.name().contains("typing")), ann::toString);
        }
    }

    private static SocketIoTestClient client(SocketIoServer sio, String name) {
        return SocketIoTestClient.builder(sio).auth(Map.of("name", name)).connect();
    }

    private static void join(SocketIoTestClient client, String room) throws Exception {
        Map<?, ?> reply = (Map<?, ?>) client.emitWithAck("join", room).get(0);
        assertEquals(room, reply.get("room"));
    }
}
