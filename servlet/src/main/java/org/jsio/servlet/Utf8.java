package org.jsio.servlet;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Strict UTF-8 decoding of WebSocket text, shared by the WebSocket adapters that frame it themselves. */
final class Utf8 {
    private Utf8() {
    }

    /**
     * The text of {@code length} bytes from {@code offset}, or {@code null} if they are not valid
     * UTF-8. The common case is one decoding pass; only text whose decoding holds U+FFFD (a
     * replacement, or that character itself) is checked strictly.
     */
    static String decode(byte[] bytes, int offset, int length) {
        String text = new String(bytes, offset, length, StandardCharsets.UTF_8);
        if (text.indexOf('\uFFFD') < 0) {
            return text;
        }
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, offset, length));
            return text;
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
