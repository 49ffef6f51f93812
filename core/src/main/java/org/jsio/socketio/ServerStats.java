package org.jsio.socketio;

/**
 * A snapshot of what the server holds, for metrics and for tests that check that nothing is left
 * behind once clients are gone.
 */
public final class ServerStats {
    private final int engineSessions;
    private final int sockets;
    private final int rooms;
    private final int pendingAcks;
    private final int backgroundTasks;
    private final int closingConnections;
    private final int containerHandlers;

    ServerStats(int engineSessions, int sockets, int rooms, int pendingAcks, int backgroundTasks,
            int closingConnections, int containerHandlers) {
        this.engineSessions = engineSessions;
        this.sockets = sockets;
        this.rooms = rooms;
        this.pendingAcks = pendingAcks;
        this.backgroundTasks = backgroundTasks;
        this.closingConnections = closingConnections;
        this.containerHandlers = containerHandlers;
    }

    /** Open Engine.IO sessions (connections, whatever their namespaces). */
    public int engineSessions() {
        return engineSessions;
    }

    /** Namespace sockets, connected or connecting, over all namespaces. */
    public int sockets() {
        return sockets;
    }

    /** Rooms over all namespaces, each client's own room included. */
    public int rooms() {
        return rooms;
    }

    /** Acknowledgements the server is waiting for from clients. */
    public int pendingAcks() {
        return pendingAcks;
    }

    /** Background tasks still running. */
    public int backgroundTasks() {
        return backgroundTasks;
    }

    /**
     * WebSocket connections still being closed: their close frame not yet written or not yet
     * answered by the client (for at most 2 s once written). See
     * {@link org.jsio.engine.EngineServer#closingConnections()}.
     */
    public int closingConnections() {
        return closingConnections;
    }

    /**
     * Clients whose handlers run on a container's threads at this moment (see
     * {@link SocketIoServer.Builder#executor}); at most the default pool's size, and half the
     * container's.
     */
    public int containerHandlers() {
        return containerHandlers;
    }

    /** Whether the server holds nothing for any client. */
    public boolean isEmpty() {
        return engineSessions == 0 && sockets == 0 && rooms == 0 && pendingAcks == 0 && closingConnections == 0
                && containerHandlers == 0;
    }

    @Override
    public String toString() {
        return "ServerStats[engineSessions=" + engineSessions + ", sockets=" + sockets + ", rooms=" + rooms
                + ", pendingAcks=" + pendingAcks + ", backgroundTasks=" + backgroundTasks
                + ", closingConnections=" + closingConnections + ", containerHandlers=" + containerHandlers + "]";
    }
}
