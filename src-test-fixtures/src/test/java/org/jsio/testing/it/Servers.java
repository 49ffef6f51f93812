package org.jsio.testing.it;

import org.jsio.servlet.SocketIoServlet;
import org.jsio.testing.EmbeddedContainer;

/** A {@link TestApplication} served by a real embedded container. */
final class Servers implements AutoCloseable {
    final TestApplication app = new TestApplication();
    final EmbeddedContainer container;

    Servers(String kind) throws Exception {
        container = EmbeddedContainer.create(kind);
        container.mount("/socket.io/*", new SocketIoServlet(app.server)).start(0);
    }

    String url(String namespace) {
        return container.baseUrl() + namespace;
    }

    @Override
    public void close() {
        app.server.close();
        container.close();
    }
}
