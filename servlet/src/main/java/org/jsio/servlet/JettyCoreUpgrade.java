package org.jsio.servlet;

import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.FutureCallback;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.WebSocketComponents;
import org.eclipse.jetty.websocket.core.exception.WebSocketException;
import org.eclipse.jetty.websocket.core.server.Handshaker;
import org.eclipse.jetty.websocket.core.server.ServerUpgradeRequest;
import org.eclipse.jetty.websocket.core.server.ServerUpgradeResponse;
import org.eclipse.jetty.websocket.core.server.WebSocketMappings;
import org.eclipse.jetty.websocket.core.server.WebSocketNegotiator;
import org.eclipse.jetty.websocket.core.server.WebSocketServerComponents;
import org.jsio.engine.spi.WebSocketAcceptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upgrades requests through Jetty 12's WebSocket core, the layer under Jetty's Jakarta WebSocket
 * implementation, binding each WebSocket to a {@link JettyCoreEndpoint}. HTTP/1.1 upgrades go
 * through {@link JettyCoreHandshaker}, whose connections read on Jetty's selector thread; others
 * through Jetty's own handshaker. When the context has Jetty's Jakarta WebSocket support, it uses
 * the components that it set up (so the same extensions, permessage-deflate among them, are
 * offered as on the Jakarta path); without it, it sets up the context's WebSocket components
 * itself, as that support would, so that a context needs no Jakarta WebSocket layer (and none of
 * the filter that layer puts in front of every request) for Socket.IO over WebSocket. It sets what
 * {@link EngineEndpoint} sets on a Jakarta session: the idle timeout and the message size limits.
 *
 * <p>Loaded only by {@link JettyWebSockets} after it found Jetty's classes; its constructor fails
 * if the context is not a servlet context of one of Jetty's servlet environments (ee10, ee11)
 * whose classes were found.
 */
final class JettyCoreUpgrade implements WebSocketUpgrade {
    private static final Logger LOG = LoggerFactory.getLogger(JettyCoreUpgrade.class);

    /** HTTP/1.1 upgrades, whose connections read on Jetty's selector thread. */
    private static final JettyCoreHandshaker HTTP1 = new JettyCoreHandshaker();

    /** Jetty's own handshaker, for the other upgrades (HTTP/2). */
    private final Handshaker handshaker;
    private final WebSocketComponents components;
    /** The servlet environment of the context. */
    private final JettyServletEnvironment environment;

    /**
     * @param environments the {@link JettyServletEnvironment} classes whose Jetty classes are
     *     visible, tried in order for the one {@code context} belongs to
     */
    JettyCoreUpgrade(ServletContext context, List<String> environments) throws ReflectiveOperationException {
        JettyServletEnvironment found = null;
        ContextHandler handler = null;
        for (String name : environments) {
            JettyServletEnvironment e = (JettyServletEnvironment) Class.forName(name, true,
                    JettyCoreUpgrade.class.getClassLoader()).getDeclaredConstructor().newInstance();
            handler = e.contextHandler(context);
            if (handler != null) {
                found = e;
                break;
            }
        }
        if (found == null) {
            throw new IllegalStateException("not a servlet context of Jetty 12's ee10 or ee11 environment");
        }
        this.environment = found;
        WebSocketMappings mappings = WebSocketMappings.getMappings(handler);
        if (mappings != null) {
            this.handshaker = mappings.getHandshaker();
            this.components = mappings.getWebSocketComponents();
        } else {
            if (handler.getServer() == null) {
                throw new IllegalStateException("the servlet context is not part of a Jetty server");
            }
            this.handshaker = Handshaker.newInstance();
            synchronized (JettyCoreUpgrade.class) { // two servlets of a context may start at once
                this.components = WebSocketServerComponents.ensureWebSocketComponents(handler.getServer(), handler);
            }
        }
        if (handshaker == null || components == null) {
            throw new IllegalStateException("Jetty's WebSocket support is incomplete in this context");
        }
    }

    @Override
    public boolean upgrade(HttpServletRequest request, HttpServletResponse response, WebSocketAcceptor acceptor)
            throws IOException {
        Request coreRequest;
        Response coreResponse;
        try {
            coreRequest = environment.wrap(request);
            coreResponse = environment.wrap(coreRequest, response);
        } catch (RuntimeException e) {
            LOG.debug("Jetty's WebSocket core cannot take {}: {}", request.getRequestURI(), e.toString());
            return false;
        }
        FutureCallback done = new FutureCallback();
        try {
            Negotiator negotiator = new Negotiator(acceptor);
            boolean upgraded = HTTP1.upgradeRequest(negotiator, coreRequest, coreResponse, done, components, null)
                    || !coreResponse.isCommitted()
                    && handshaker.upgradeRequest(negotiator, coreRequest, coreResponse, done, components, null);
            if (!upgraded) {
                throw new IOException("WebSocket handshake refused: not a valid WebSocket upgrade request");
            }
        } catch (WebSocketException | IllegalStateException e) {
            throw new IOException("WebSocket handshake refused: " + e.getMessage(), e);
        }
        done.block();
        return true;
    }

    /** For the log: "Jetty's WebSocket core (ee10)" or "(ee11)". */
    @Override
    public String toString() {
        return "Jetty's WebSocket core (" + environment.name() + ")";
    }

    /** Binds the new WebSocket to the acceptor and configures its session. */
    private static final class Negotiator extends WebSocketNegotiator.AbstractNegotiator {
        private final WebSocketAcceptor acceptor;

        Negotiator(WebSocketAcceptor acceptor) {
            this.acceptor = acceptor;
            int max = acceptor.maxMessageSize();
            setIdleTimeout(Duration.ofMillis(Math.max(0, acceptor.idleTimeoutMillis())));
            setMaxTextMessageSize(max);
            setMaxBinaryMessageSize(max);
        }

        @Override
        public FrameHandler negotiate(ServerUpgradeRequest request, ServerUpgradeResponse response, Callback callback) {
            return new JettyCoreEndpoint(acceptor);
        }
    }
}
