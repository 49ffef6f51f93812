package org.jsio.manager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The room registry of the in-memory manager (python-socketio's {@code BaseManager}). */
class ManagerTest {

    @Test
    void roomsFollowClientsAndDrainWhenTheyLeave() {
        Manager m = new Manager();
        m.connect("/", "a");
        m.connect("/", "b");
        m.connect("/chat", "c");
        m.enterRoom("/", "a", "red");
        m.enterRoom("/", "b", "red");
        m.enterRoom("/", "b", "blue");
        assertEquals(Set.of("a", "red"), m.rooms("/", "a"));
        assertEquals(Set.of("a", "b"), m.participants("/", List.of("red")));
        assertEquals(Set.of("a", "b"), m.participants("/", List.of("red", "blue")));
        assertEquals(Set.of(), m.participants("/chat", List.of("red")));
        assertEquals(4, m.roomCount("/"));

        m.leaveRoom("/", "b", "red");
        assertEquals(Set.of("a"), m.participants("/", List.of("red")));
        m.closeRoom("/", "red");
        assertEquals(Set.of("a"), m.rooms("/", "a"));
        assertEquals(Set.of(), m.participants("/", List.of("red")));

        m.removeClient("/", "a");
        m.removeClient("/", "b");
        m.removeClient("/chat", "c");
        assertFalse(m.isConnected("/", "a"));
        assertEquals(0, m.roomCount("/") + m.roomCount("/chat"));
        // a client that has left never re-enters a room
        m.enterRoom("/", "a", "late");
        assertEquals(0, m.roomCount("/"));
        assertEquals(Set.of(), m.rooms("/", "a"));
    }

    @Test
    void fromUrlChoosesTheManager() {
        assertEquals(Manager.class, Manager.fromUrl(null).getClass());
        assertEquals(Manager.class, Manager.fromUrl("  ").getClass());
        try (Manager redis = Manager.fromUrl("redis://:pw@127.0.0.1:1/2")) {
            assertTrue(redis instanceof RedisManager);
            assertEquals("socketio", ((RedisManager) redis).channel());
        }
        assertThrows(IllegalArgumentException.class, () -> Manager.fromUrl("amqp://127.0.0.1"));
        assertThrows(IllegalArgumentException.class, () -> Manager.fromUrl("redis://127.0.0.1/notanumber"));
    }
}
