package org.jsio.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The close code a {@link WsWriter} gives its connection, whichever thread ends up closing it. */
class WsWriterCloseTest {

    /**
     * A close while a packet is being written: the writer, once that write completes and it
     * finds the queue empty, closes with the same code, never with one it was not given.
     */
    @Test
    void aCloseDuringAWriteKeepsItsCodeWhenTheWriterFinishes() {
        HeldConnection connection = new HeldConnection();
        WsWriter writer = new WsWriter(connection, 100, 100_000, e -> { }, Runnable::run);
        writer.send(List.of(Packet.message("last words")));
        assertEquals(1, connection.pending.size(), "being written");

        writer.closeNow(1000);
        connection.pending.get(0).done(null); // the write completes; the writer finds nothing more

        assertEquals(List.of(1000, 1000), connection.closes);
    }

    @Test
    void aCloseAfterDrainClosesOnceTheQueueIsWritten() {
        HeldConnection connection = new HeldConnection();
        WsWriter writer = new WsWriter(connection, 100, 100_000, e -> { }, Runnable::run);
        writer.send(List.of(Packet.message("one"), Packet.message("two")));

        writer.closeAfterDrain(4000);
        assertEquals(List.of(), connection.closes, "not while packets wait");
        while (!connection.pending.isEmpty()) {
            connection.pending.remove(0).done(null);
        }

        assertEquals(List.of(4000), connection.closes);
    }
}
