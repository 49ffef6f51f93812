package org.jsio.engine;

import java.util.ArrayList;
import java.util.List;
import org.jsio.engine.spi.WebSocketConnection;

/**
 * A WebSocket for engine tests whose sends complete only when a test completes their callbacks
 * (as when the peer stops reading), and which records the codes it is closed with.
 */
final class HeldConnection implements WebSocketConnection {
    final List<SendCallback> pending = new ArrayList<>();
    final List<Integer> closes = new ArrayList<>();

    @Override
    public synchronized void sendText(String text, SendCallback done) {
        pending.add(done);
    }

    @Override
    public synchronized void sendBinary(byte[] data, SendCallback done) {
        pending.add(done);
    }

    @Override
    public synchronized void close(int code, String reason) {
        closes.add(code);
    }
}
