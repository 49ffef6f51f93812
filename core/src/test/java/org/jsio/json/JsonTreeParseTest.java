package org.jsio.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The parser against Gson's strict reader as the reference: the same tree for every document
 * Gson accepts, a {@link JsonException} for every document it refuses, over hand-picked edge cases
 * and many random mutations of valid documents.
 */
class JsonTreeParseTest {
    private static final String[] VALID = {
        "[\"echo\",\"hello\",1,2.5,-3,true,false,null]",
        "[\"a\",{\"x\":[1,{\"y\":\"z\"}],\"k\":null}]",
        "{\"_placeholder\":true,\"num\":0}",
        "  [ 1 , 2 ]\t\r\n",
        "\"just a string\"",
        "0", "-0", "1e5", "1E+5", "1e-5", "-1.25e-3", "12345678901234567890", "123456789012345678",
        "-123456789012345678", "1234567890123456789", "2147483647", "2147483648", "-2147483648",
        "-2147483649", "9007199254740993", "1.0", "0.5",
        "\"esc \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\uD83D\\uDE00 \\uABCD \\uabcd\"",
        "\"\u00e9\u20ac\ud83d\ude00 raw\"",
        "{\"dup\":1,\"other\":2,\"dup\":3}",
        "[[],{},[[]],{\"\":\"\"}]",
        "true", "false", "null",
    };
    private static final String[] INVALID = {
        "", " ", "[", "]", "[1,]", "[,1]", "{,}", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{'a':1}", "{a:1}",
        "01", "-01", "1.", ".5", "-", "+1", "1e", "1e+", "1.e5", "0x10", "NaN", "Infinity", "-Infinity",
        "tru", "nul", "True", "nulll", "[true false]", "\"unterminated", "\"bad \\x escape\"",
        "\"\\u12\"", "\"\\u12G4\"", "\"\\'\"", "\"tab\tinside\"", "\"nl\ninside\"", "[1]x", "{}{}",
        "[1 2]", "\"a\" \"b\"", "[\"a\":1]", "{\"a\" 1}", "/*c*/[]", "#[]", "[1]//", "'a'",
        "[\"\\u00\"]", "\"\\", "[-]", "[1e1.5]", "[1.5e]",
    };

    @Test
    void acceptsWhatGsonAcceptsWithTheSameTree() {
        for (String json : VALID) {
            assertEquals(reference(json), JsonTree.parse(json), json);
        }
    }

    @Test
    void refusesWhatJsonParseRefuses() {
        for (String json : INVALID) {
            assertThrows(JsonException.class, () -> reference(json), () -> "reference accepted " + json);
            assertThrows(JsonException.class, () -> JsonTree.parse(json), () -> "accepted " + json);
        }
    }

    @Test
    void acceptsUnpairedSurrogatesAsJavaScriptDoes() {
        // JSON.parse keeps them (and JsonTree.write escapes them), where Gson's strict mode refuses
        assertEquals(List.of("\ud800", "x\udc00"), JsonTree.parse("[\"\\ud800\",\"x\\udc00\"]"));
        assertEquals("\ud800", JsonTree.parse("\"\ud800\""));
        assertEquals("[\"\\ud800\"]", JsonTree.write(JsonTree.parse("[\"\\ud800\"]"), new GsonJsonMapper()));
    }

    @Test
    void parsesFromAnOffset() {
        assertEquals(List.of("echo", 1), JsonTree.parse("421[\"echo\",1]", 3));
        assertThrows(JsonException.class, () -> JsonTree.parse("421", 3));
        assertThrows(IndexOutOfBoundsException.class, () -> JsonTree.parse("42", 3));
    }

    @Test
    void nestingLimitIsTheSameAsBefore() {
        String ok = "[".repeat(JsonTree.MAX_DEPTH) + "]".repeat(JsonTree.MAX_DEPTH);
        String tooDeep = "[".repeat(JsonTree.MAX_DEPTH + 1) + "]".repeat(JsonTree.MAX_DEPTH + 1);
        assertEquals(reference(ok), JsonTree.parse(ok));
        assertThrows(JsonException.class, () -> reference(tooDeep));
        assertThrows(JsonException.class, () -> JsonTree.parse(tooDeep));
        String objects = "{\"a\":".repeat(JsonTree.MAX_DEPTH + 1) + "1" + "}".repeat(JsonTree.MAX_DEPTH + 1);
        assertThrows(JsonException.class, () -> JsonTree.parse(objects));
    }

    @Test
    void agreesWithGsonOnRandomMutations() {
        Random random = new Random(20261122);
        String alphabet = "[]{}\",:\\/ -+.eE0123456789tfnrulasbu\t\n\u00e9\ud83d\ude00\u0001'x";
        int accepted = 0;
        for (int round = 0; round < 40_000; round++) {
            String base = VALID[random.nextInt(VALID.length)];
            StringBuilder sb = new StringBuilder(base);
            int edits = 1 + random.nextInt(3);
            for (int e = 0; e < edits && sb.length() > 0; e++) {
                int at = random.nextInt(sb.length() + 1);
                switch (random.nextInt(3)) {
                    case 0 -> sb.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    case 1 -> {
                        if (at < sb.length()) {
                            sb.deleteCharAt(at);
                        }
                    }
                    default -> {
                        if (at < sb.length()) {
                            sb.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
                        }
                    }
                }
            }
            String json = sb.toString();
            Object expected;
            try {
                expected = reference(json);
            } catch (JsonException e) {
                if (String.valueOf(e.getMessage()).contains("surrogate")) {
                    continue; // the one intended difference, tested above
                }
                assertThrows(JsonException.class, () -> JsonTree.parse(json), () -> "accepted " + json);
                continue;
            }
            assertEquals(expected, JsonTree.parse(json), json);
            accepted++;
        }
        assertTrue(accepted > 1000, "too few valid mutations to mean anything: " + accepted);
    }

    // ------------------------------------------------------------------ the reference: Gson, strict

    private static Object reference(String json) {
        try (JsonReader reader = new JsonReader(new StringReader(json))) {
            reader.setStrictness(Strictness.STRICT);
            reader.setNestingLimit(JsonTree.MAX_DEPTH);
            Object value = read(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new JsonException("trailing data", null);
            }
            return value;
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            throw new JsonException(e.getMessage(), e);
        }
    }

    private static Object read(JsonReader reader) throws IOException {
        switch (reader.peek()) {
            case BEGIN_ARRAY: {
                reader.beginArray();
                List<Object> list = new ArrayList<>();
                while (reader.hasNext()) {
                    list.add(read(reader));
                }
                reader.endArray();
                return list;
            }
            case BEGIN_OBJECT: {
                reader.beginObject();
                Map<String, Object> map = new LinkedHashMap<>();
                while (reader.hasNext()) {
                    String name = reader.nextName();
                    map.put(name, read(reader));
                }
                reader.endObject();
                return map;
            }
            case STRING:
                return reader.nextString();
            case NUMBER:
                return number(reader.nextString());
            case BOOLEAN:
                return reader.nextBoolean();
            case NULL:
                reader.nextNull();
                return null;
            default:
                throw new JsonException("unexpected " + reader.peek(), null);
        }
    }

    private static Number number(String text) {
        if (text.indexOf('.') < 0 && text.indexOf('e') < 0 && text.indexOf('E') < 0) {
            try {
                long l = Long.parseLong(text);
                if (l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) {
                    return (int) l;
                }
                return l;
            } catch (NumberFormatException e) {
                // a double, as in JavaScript
            }
        }
        return Double.parseDouble(text);
    }
}
