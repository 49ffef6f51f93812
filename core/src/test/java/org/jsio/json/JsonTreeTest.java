package org.jsio.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTreeTest {
    private final JsonMapper mapper = new GsonJsonMapper();

    @Test
    void roundTripsLikeJavaScript() {
        String json = "[1,\"2\",{\"3\":[false]},null,-7,3.5,1e+21,\"\u00e9\u20ac\ud83d\ude00\"]";
        Object tree = JsonTree.parse(json);
        assertEquals(json, JsonTree.write(tree, mapper));
    }

    @Test
    void integersStayIntegers() {
        List<?> list = (List<?>) JsonTree.parse("[1,4294967296,1.0,12345678901234567890]");
        assertEquals(1, list.get(0));
        assertEquals(4294967296L, list.get(1));
        assertEquals(1.0, list.get(2));
        assertEquals("[1,4294967296,1,12345678901234567000]", JsonTree.write(list, mapper));
    }

    @Test
    void numbersUseTheShortestDigitsThatReadBack() {
        // the figures Node.js prints for the same doubles
        assertEquals("[8.41e+21,1e+23,5e-324,282879384806159000,0.30000000000000004,1.7976931348623157e+308]",
                JsonTree.write(Arrays.asList(8.41e21, 1e23, Double.MIN_VALUE, 2.82879384806159E17,
                        0.1 + 0.2, Double.MAX_VALUE), mapper));
    }

    @Test
    void numbersFormattedAsJavaScriptDoes() {
        assertEquals("[0.1,1e-7,1.5e-10,123.456,-0.000001,1e+21,null]",
                JsonTree.write(Arrays.asList(0.1, 1e-7, 1.5e-10, 123.456, -0.000001, 1e21, Double.NaN), mapper));
    }

    @Test
    void stringsEscapedAsJsonStringify() {
        assertEquals("\"a\\\"b\\\\c\\n\\u0001</script>&'=\"",
                JsonTree.write("a\"b\\c\n\u0001</script>&'=", mapper));
    }

    @Test
    void keepsKeyOrder() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("z", 1);
        m.put("a", List.of(true));
        assertEquals("{\"z\":1,\"a\":[true]}", JsonTree.write(m, mapper));
    }

    @Test
    void refusesInvalidAndTrailingData() {
        assertThrows(JsonException.class, () -> JsonTree.parse("{}x"));
        assertThrows(JsonException.class, () -> JsonTree.parse("abc[1]"));
        assertThrows(JsonException.class, () -> JsonTree.parse("[1,]"));
        assertThrows(JsonException.class, () -> JsonTree.parse("{'a':1}"));
    }

    @Test
    void refusesDeepNestingWithoutStackOverflow() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        assertThrows(JsonException.class, () -> JsonTree.parse(deep));
    }

    record Point(int x, String label) {
    }

    static final class Bean {
        int x = 3;
        String label = "p";
    }

    @Test
    void convertsApplicationObjectsThroughTheMapper() {
        assertEquals("{\"x\":3,\"label\":\"p\"}", JsonTree.write(new Bean(), mapper));
        Bean b = mapper.fromTree(JsonTree.parse("{\"x\":5,\"label\":\"q\"}"), Bean.class);
        assertEquals(5, b.x);
        assertEquals("q", b.label);
    }
}
