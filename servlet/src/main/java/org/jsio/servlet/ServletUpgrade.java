package org.jsio.servlet;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import org.jsio.engine.spi.WebSocketAcceptor;

/**
 * Upgrades requests with the Servlet API's own HTTP upgrade ({@link HttpServletRequest#upgrade}),
 * and speaks the WebSocket protocol (RFC 6455) itself over the upgraded connection's non-blocking
 * streams ({@link WebSocketUpgradeHandler}). The container's WebSocket implementation is not used:
 * no Jakarta WebSocket session, no completion handed to another thread after each send, and
 * frames sent back to back leave in one write. No extension is negotiated (permessage-deflate
 * included, as the reference server's default).
 */
final class ServletUpgrade implements WebSocketUpgrade {
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    @Override
    public boolean upgrade(HttpServletRequest request, HttpServletResponse response, WebSocketAcceptor acceptor)
            throws IOException {
        if (!"GET".equals(request.getMethod())) {
            throw new IOException("WebSocket handshake refused: method " + request.getMethod());
        }
        if (!ServletHttpExchange.hasToken(request.getHeaders("Connection"), "upgrade")) {
            throw new IOException("WebSocket handshake refused: no 'Connection: Upgrade'");
        }
        if (!"13".equals(trim(request.getHeader("Sec-WebSocket-Version")))) {
            response.setHeader("Sec-WebSocket-Version", "13");
            throw new IOException("WebSocket handshake refused: version "
                    + request.getHeader("Sec-WebSocket-Version") + " (13 is supported)");
        }
        String key = trim(request.getHeader("Sec-WebSocket-Key"));
        if (!validKey(key)) {
            throw new IOException("WebSocket handshake refused: Sec-WebSocket-Key '" + key + "' is not 16 bytes in base64");
        }
        response.setHeader("Upgrade", "websocket");
        response.setHeader("Connection", "Upgrade");
        response.setHeader("Sec-WebSocket-Accept", accept(key));
        response.setStatus(HttpServletResponse.SC_SWITCHING_PROTOCOLS);
        WebSocketUpgradeHandler handler;
        try {
            handler = request.upgrade(WebSocketUpgradeHandler.class);
        } catch (UnsupportedOperationException | IllegalStateException e) {
            response.setStatus(HttpServletResponse.SC_OK);
            response.setHeader("Upgrade", null);
            response.setHeader("Connection", null);
            response.setHeader("Sec-WebSocket-Accept", null);
            return false;
        } catch (jakarta.servlet.ServletException e) {
            throw new IOException("WebSocket upgrade failed: " + e.getMessage(), e);
        }
        boolean tomcat = EngineBinding.isContainer(request.getServletContext(), "tomcat");
        handler.bind(acceptor, request.getRemoteAddr() + ":" + request.getRemotePort(), !tomcat,
                tomcat ? TomcatExecutors.of(request) : null);
        return true;
    }

    private static String trim(String s) {
        return s == null ? null : s.trim();
    }

    private static boolean validKey(String key) {
        if (key == null) {
            return false;
        }
        try {
            return Base64.getDecoder().decode(key).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    static String accept(String key) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            return Base64.getEncoder().encodeToString(sha1.digest((key + GUID).getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-1 in this JDK", e);
        }
    }
}
