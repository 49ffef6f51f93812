package org.jsio.json;

import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;

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
        return parse(json, 0);
    }

    /**
     * Parses one complete JSON document that makes up {@code text} from index {@code from} to its
     * end (so that a caller need not copy a prefixed document out first).
     */
    public static Object parse(String text, int from) {
        if (from < 0 || from > text.length()) {
            throw new IndexOutOfBoundsException("from " + from + " of " + text.length());
        }
        Scanner scanner = new Scanner(text, from);
        Object value = scanner.value(0);
        scanner.skipSpace();
        if (scanner.pos != text.length()) {
            throw scanner.error("trailing data after JSON value");
        }
        return value;
    }

    /**
     * A strict RFC 8259 reader straight from the string (what JavaScript's {@code JSON.parse}
     * accepts, nothing more): no reader, no buffer copy, strings without escapes taken as
     * substrings, small integers read without an intermediate string.
     */
    private static final class Scanner {
        private final String s;
        private final int end;
        int pos;

        Scanner(String s, int from) {
            this.s = s;
            this.end = s.length();
            this.pos = from;
        }

        JsonException error(String what) {
            return new JsonException("invalid JSON: " + what + " at index " + pos, null);
        }

        void skipSpace() {
            while (pos < end) {
                char c = s.charAt(pos);
                if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                    return;
                }
                pos++;
            }
        }

        Object value(int depth) {
            skipSpace();
            if (pos >= end) {
                throw error("end of input where a value was expected");
            }
            char c = s.charAt(pos);
            switch (c) {
                case '[':
                    return array(depth + 1);
                case '{':
                    return object(depth + 1);
                case '"':
                    return string();
                case 't':
                    literal("true");
                    return Boolean.TRUE;
                case 'f':
                    literal("false");
                    return Boolean.FALSE;
                case 'n':
                    literal("null");
                    return null;
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        return number();
                    }
                    throw error("unexpected character");
            }
        }

        private void literal(String word) {
            if (!s.startsWith(word, pos)) {
                throw error("unexpected character");
            }
            pos += word.length();
        }

        private List<Object> array(int depth) {
            if (depth > MAX_DEPTH) {
                throw error("nesting deeper than " + MAX_DEPTH);
            }
            pos++;
            List<Object> list = new ArrayList<>();
            skipSpace();
            if (pos < end && s.charAt(pos) == ']') {
                pos++;
                return list;
            }
            while (true) {
                list.add(value(depth));
                skipSpace();
                if (pos >= end) {
                    throw error("unterminated array");
                }
                char c = s.charAt(pos++);
                if (c == ']') {
                    return list;
                }
                if (c != ',') {
                    pos--;
                    throw error("expected ',' or ']'");
                }
            }
        }

        private Map<String, Object> object(int depth) {
            if (depth > MAX_DEPTH) {
                throw error("nesting deeper than " + MAX_DEPTH);
            }
            pos++;
            Map<String, Object> map = new LinkedHashMap<>();
            skipSpace();
            if (pos < end && s.charAt(pos) == '}') {
                pos++;
                return map;
            }
            while (true) {
                skipSpace();
                if (pos >= end || s.charAt(pos) != '"') {
                    throw error("expected a member name");
                }
                String name = string();
                skipSpace();
                if (pos >= end || s.charAt(pos) != ':') {
                    throw error("expected ':'");
                }
                pos++;
                map.put(name, value(depth));
                skipSpace();
                if (pos >= end) {
                    throw error("unterminated object");
                }
                char c = s.charAt(pos++);
                if (c == '}') {
                    return map;
                }
                if (c != ',') {
                    pos--;
                    throw error("expected ',' or '}'");
                }
            }
        }

        private String string() {
            int start = ++pos;
            while (pos < end) {
                char c = s.charAt(pos);
                if (c == '"') {
                    return s.substring(start, pos++);
                }
                if (c == '\\') {
                    return escapedString(start);
                }
                if (c < 0x20) {
                    throw error("unescaped control character in string");
                }
                pos++;
            }
            throw error("unterminated string");
        }

        private String escapedString(int start) {
            StringBuilder sb = new StringBuilder(pos - start + 16);
            sb.append(s, start, pos);
            while (pos < end) {
                char c = s.charAt(pos++);
                if (c == '"') {
                    return sb.toString();
                }
                if (c < 0x20) {
                    pos--;
                    throw error("unescaped control character in string");
                }
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                if (pos >= end) {
                    break;
                }
                char e = s.charAt(pos++);
                switch (e) {
                    case '"':
                    case '\\':
                    case '/':
                        sb.append(e);
                        break;
                    case 'b':
                        sb.append('\b');
                        break;
                    case 'f':
                        sb.append('\f');
                        break;
                    case 'n':
                        sb.append('\n');
                        break;
                    case 'r':
                        sb.append('\r');
                        break;
                    case 't':
                        sb.append('\t');
                        break;
                    case 'u': {
                        if (pos + 4 > end) {
                            throw error("short unicode escape");
                        }
                        int code = 0;
                        for (int k = 0; k < 4; k++) {
                            int d = Character.digit(s.charAt(pos++), 16);
                            if (d < 0 || s.charAt(pos - 1) > 'f') {
                                pos--;
                                throw error("invalid unicode escape");
                            }
                            code = code << 4 | d;
                        }
                        sb.append((char) code);
                        break;
                    }
                    default:
                        pos--;
                        throw error("invalid escape");
                }
            }
            throw error("unterminated string");
        }

        private Number number() {
            int start = pos;
            if (s.charAt(pos) == '-') {
                pos++;
            }
            if (pos >= end) {
                throw error("incomplete number");
            }
            char c = s.charAt(pos);
            if (c == '0') {
                pos++;
            } else if (c >= '1' && c <= '9') {
                digits();
            } else {
                throw error("incomplete number");
            }
            boolean integral = true;
            if (pos < end && s.charAt(pos) == '.') {
                pos++;
                integral = false;
                if (digits() == 0) {
                    throw error("no digits after the decimal point");
                }
            }
            if (pos < end && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
                pos++;
                integral = false;
                if (pos < end && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
                    pos++;
                }
                if (digits() == 0) {
                    throw error("no digits in the exponent");
                }
            }
            if (integral && pos - start <= 18) {
                // at most 18 characters: fits a long without overflow
                boolean negative = s.charAt(start) == '-';
                long value = 0;
                for (int k = negative ? start + 1 : start; k < pos; k++) {
                    value = value * 10 + (s.charAt(k) - '0');
                }
                if (negative) {
                    value = -value;
                }
                if (value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE) {
                    return (int) value;
                }
                return value;
            }
            return JsonTree.number(s.substring(start, pos));
        }

        private int digits() {
            int start = pos;
            while (pos < end) {
                char c = s.charAt(pos);
                if (c < '0' || c > '9') {
                    break;
                }
                pos++;
            }
            return pos - start;
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
        } else if (value instanceof List && value instanceof RandomAccess) {
            // an event's arguments: indexed, without an iterator per list
            List<?> list = (List<?>) value;
            out.append('[');
            for (int i = 0, n = list.size(); i < n; i++) {
                if (i > 0) {
                    out.append(',');
                }
                write(list.get(i), mapper, out);
            }
            out.append(']');
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
