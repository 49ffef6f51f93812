package org.jsio.engine;

/**
 * A client's outgoing buffer would grow over {@link EngineOptions#maxBufferedPackets()} or
 * {@link EngineOptions#maxBufferedBytes()}: the client does not keep up and is disconnected.
 */
final class BufferFullException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    BufferFullException(int maxPackets, long maxBytes) {
        super("too many buffered packets: over " + maxPackets + " packets or " + maxBytes + " bytes waiting");
    }
}
