package org.jsio.engine.spi;

/**
 * What the adapter tells the engine about one WebSocket. Calls for one connection are made one
 * at a time, in the order the frames arrived, and must return quickly.
 */
public interface WebSocketListener {

    /** A whole text message arrived. */
    void onText(String text);

    /** A whole binary message arrived. */
    void onBinary(byte[] data);

    /** The connection closed (by either side). Called once. */
    void onClose(int code, String reason);

    /** The connection failed; {@link #onClose} follows or the adapter closes it. */
    void onError(Throwable error);
}
