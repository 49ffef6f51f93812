package org.jsio.json;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes JSON trees exactly as JavaScript's {@code JSON.parse} and
 * {@code JSON.stringify} do on the wire: compact, keys in insertion order, integers without a
 * fraction, no HTML escaping. Integers are read as {@link Integer} when they fit, else
 * {@link Long}; other numbers as {@link Double}.
 */
public final class JsonTree {
    /** Deepest nesting accepted when parsing (deeper input is refused, never a stack overflow). */
    public static final int MAX_DEPTH = 128;

    private JsonTree() {
    }

    /** Parses one complete JSON document. */
    public static Object parse(String json) {
        try (JsonReader reader = new JsonReader(new StringReader(json))) {
            reader.setStrictness(Strictness.STRICT);
            reader.setNestingLimit(MAX_DEPTH);
            Object value = read(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new JsonException("trailing data after JSON value", null);
            }
            return value;
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            throw new JsonException("invalid JSON: " + e.getMessage(), e);
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
        boolean integral = text.indexOf('.') < 0 && text.indexOf('e') < 0 && text.indexOf('E') < 0;
        if (integral) {
            try {
                long l = Long.parseLong(text);
                if (l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) {
                    return (int) l;
                }
                return l;
            } catch (NumberFormatException e) {
                // too large for a long: a double, as in JavaScript
            }
        }
        return Double.parseDouble(text);
    }

    /** Writes a tree; values that are not tree types are converted with {@code mapper}. */
    public static String write(Object value, JsonMapper mapper) {
        StringBuilder sb = new StringBuilder();
        write(value, mapper, sb);
        return sb.toString();
    }

    /** Writes a tree into {@code out}; values that are not tree types are converted with {@code mapper}. */
    public static void write(Object value, JsonMapper mapper, StringBuilder out) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof String) {
            string((String) value, out);
        } else if (value instanceof Boolean) {
            out.append(value.toString());
        } else if (value instanceof Integer || value instanceof Long || value instanceof Short
                || value instanceof Byte || value instanceof java.math.BigInteger) {
            out.append(value.toString());
        } else if (value instanceof Number) {
            number(((Number) value).doubleValue(), out);
        } else if (value instanceof Map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                string(String.valueOf(e.getKey()), out);
                out.append(':');
                write(e.getValue(), mapper, out);
            }
            out.append('}');
        } else if (value instanceof Iterable) {
            out.append('[');
            boolean first = true;
            for (Object o : (Iterable<?>) value) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                write(o, mapper, out);
            }
            out.append(']');
        } else if (value instanceof Object[]) {
            out.append('[');
            Object[] a = (Object[]) value;
            for (int i = 0; i < a.length; i++) {
                if (i > 0) {
                    out.append(',');
                }
                write(a[i], mapper, out);
            }
            out.append(']');
        } else if (value.getClass().isArray() && !(value instanceof byte[])) {
            out.append('[');
            int n = Array.getLength(value);
            for (int i = 0; i < n; i++) {
                if (i > 0) {
                    out.append(',');
                }
                write(Array.get(value, i), mapper, out);
            }
            out.append(']');
        } else if (value instanceof Character || value instanceof Enum) {
            string(value.toString(), out);
        } else {
            write(mapper.toTree(value), mapper, out);
        }
    }

    private static void number(double d, StringBuilder out) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            out.append("null");
            return;
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e21) {
            if (Math.abs(d) < 9007199254740992.0) {
                out.append((long) d);
            } else {
                out.append(shortest(d).toPlainString());
            }
            return;
        }
        // JavaScript's Number.prototype.toString: plain notation for 1e-6 <= |d| < 1e21.
        BigDecimal bd = shortest(d);
        double abs = Math.abs(d);
        if (abs >= 1e-6 && abs < 1e21) {
            out.append(bd.toPlainString());
            return;
        }
        String unscaled = bd.unscaledValue().abs().toString();
        int exponent = unscaled.length() - 1 - bd.scale();
        if (d < 0) {
            out.append('-');
        }
        out.append(unscaled.charAt(0));
        if (unscaled.length() > 1) {
            out.append('.').append(unscaled, 1, unscaled.length());
        }
        out.append('e').append(exponent < 0 ? "-" : "+").append(Math.abs(exponent));
    }

    /**
     * Whether {@link Double#toString(double)} gives the shortest round-trip digits (JDK 19+), except
     * that where one digit would do it picks the nearest two ({@code 4.9E-324}, JavaScript {@code 5e-324}).
     */
    private static final boolean SHORTEST_TO_STRING = Runtime.version().feature() >= 19;

    /**
     * The fewest significant digits that still read back as {@code d}, nearest to its exact value
     * when several qualify: the digits JavaScript prints. Before JDK 19, {@code Double.toString}
     * sometimes gives one or more digits too many ({@code 8.409999999999999E21} for {@code 8.41e21}).
     */
    private static BigDecimal shortest(double d) {
        BigDecimal best = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        if (SHORTEST_TO_STRING && best.precision() > 2) {
            return best;
        }
        BigDecimal exact = new BigDecimal(d);
        // if some n-digit decimal reads back as d, so does the exact value rounded to n digits
        for (int digits = best.precision() - 1; digits >= 1; digits--) {
            BigDecimal shorter = exact.round(new MathContext(digits, RoundingMode.HALF_EVEN));
            if (shorter.doubleValue() != d) {
                break;
            }
            best = shorter.stripTrailingZeros();
        }
        return best;
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private static void string(String s, StringBuilder out) {
        out.append('"');
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    out.append("\\\"");
                    break;
                case '\\':
                    out.append("\\\\");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                case '\r':
                    out.append("\\r");
                    break;
                case '\t':
                    out.append("\\t");
                    break;
                case '\b':
                    out.append("\\b");
                    break;
                case '\f':
                    out.append("\\f");
                    break;
                default:
                    if (c < 0x20 || (Character.isSurrogate(c) && !pairedSurrogate(s, i))) {
                        out.append("\\u").append(HEX[c >> 12 & 15]).append(HEX[c >> 8 & 15])
                                .append(HEX[c >> 4 & 15]).append(HEX[c & 15]);
                    } else {
                        out.append(c);
                    }
            }
        }
        out.append('"');
    }

    private static boolean pairedSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
