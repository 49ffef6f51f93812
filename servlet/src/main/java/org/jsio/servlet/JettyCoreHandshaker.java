package org.jsio.servlet;

import java.util.concurrent.Executor;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;
import org.eclipse.jetty.websocket.core.WebSocketComponents;
import org.eclipse.jetty.websocket.core.WebSocketConnection;
import org.eclipse.jetty.websocket.core.WebSocketCoreSession;
import org.eclipse.jetty.websocket.core.server.internal.AbstractHandshaker;
import org.eclipse.jetty.websocket.core.server.internal.RFC6455Negotiation;
import org.eclipse.jetty.websocket.core.server.internal.WebSocketNegotiation;
import org.eclipse.jetty.websocket.core.util.WebSocketUtils;

/**
 * The HTTP/1.1 (RFC 6455) WebSocket handshake of Jetty's WebSocket core, with one difference: the
 * connection it creates reads its frames on the thread that found them readable (Jetty's
 * selector) instead of handing every read to another pool thread. {@link JettyCoreEndpoint} never
 * blocks while it takes a frame: it assembles and decodes the message and hands it to the
 * client's handler lane, so what would run on the other thread is cheaper than waking it (a
 * large message is decoded on a pool thread all the same, see
 * {@link JettyCoreEndpoint#INLINE_MESSAGE_LIMIT}). Other upgrades (HTTP/2's extended CONNECT) are
 * left to Jetty's own handshaker.
 */
final class JettyCoreHandshaker extends AbstractHandshaker {
    private static final HttpField UPGRADE = new PreEncodedHttpField(HttpHeader.UPGRADE, "websocket");
    private static final HttpField CONNECTION = new PreEncodedHttpField(HttpHeader.CONNECTION, "Upgrade");

    @Override
    public boolean isWebSocketUpgradeRequest(Request request) {
        return HttpMethod.GET.is(request.getMethod())
                && HttpVersion.HTTP_1_1.is(request.getConnectionMetaData().getProtocol())
                && super.isWebSocketUpgradeRequest(request);
    }

    @Override
    protected WebSocketNegotiation newNegotiation(Request request, Response response, Callback callback,
            WebSocketComponents components) {
        return new RFC6455Negotiation(request, response, callback, components);
    }

    @Override
    protected boolean validateNegotiation(WebSocketNegotiation negotiation) {
        if (!super.validateNegotiation(negotiation)) {
            return false;
        }
        if (((RFC6455Negotiation) negotiation).getKey() == null) {
            throw new HttpException.RuntimeException(HttpStatus.BAD_REQUEST_400,
                    "Missing request header 'Sec-WebSocket-Key'");
        }
        return true;
    }

    @Override
    protected WebSocketConnection createWebSocketConnection(Request request, WebSocketCoreSession session) {
        ConnectionMetaData meta = request.getConnectionMetaData();
        Connector connector = meta.getConnector();
        WebSocketConnection connection = new SelectorReads(meta.getConnection().getEndPoint(),
                connector.getExecutor(), connector.getScheduler(), connector.getByteBufferPool(), session);
        session.setWebSocketConnection(connection);
        return connection;
    }

    @Override
    protected void prepareResponse(Response response, WebSocketNegotiation negotiation) {
        response.setStatus(HttpStatus.SWITCHING_PROTOCOLS_101);
        response.getHeaders().put(UPGRADE);
        response.getHeaders().put(CONNECTION);
        response.getHeaders().put(HttpHeader.SEC_WEBSOCKET_ACCEPT,
                WebSocketUtils.hashKey(((RFC6455Negotiation) negotiation).getKey()));
    }

    /** A WebSocket connection whose reads are declared non-blocking, so the selector runs them. */
    private static final class SelectorReads extends WebSocketConnection {
        private final Callback fillable = new Callback() {
            @Override
            public void succeeded() {
                onFillable();
            }

            @Override
            public void failed(Throwable cause) {
                onFillInterestedFailed(cause);
            }

            @Override
            public InvocationType getInvocationType() {
                return InvocationType.NON_BLOCKING;
            }
        };

        SelectorReads(EndPoint endPoint, Executor executor, Scheduler scheduler, ByteBufferPool buffers,
                WebSocketCoreSession session) {
            super(endPoint, executor, scheduler, buffers, session);
        }

        @Override
        public void fillInterested() {
            fillInterested(fillable);
        }
    }
}
