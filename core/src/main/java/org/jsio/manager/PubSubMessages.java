package org.jsio.manager;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jsio.json.JsonMapper;
import org.jsio.json.JsonTree;

/**
 * The bytes of python-socketio's pub/sub messages. A message is a dict with a {@code method}
 * ({@code emit}, {@code callback}, {@code disconnect}, {@code enter_room}, {@code leave_room},
 * {@code close_room}) and the sender's {@code host_id}; see {@code docs/CLUSTER.md}.
 *
 * <p>Written as JSON (UTF-8) when JSON can carry the message exactly, else as a pickle, which is
 * what python-socketio's own Redis manager writes: for binary data ({@code bytes}) and for an emit
 * of several arguments (a Python tuple). Read from either.
 */
final class PubSubMessages {
    private PubSubMessages() {
    }

    /** Encodes a message whose values are JSON trees, {@code byte[]} and {@link Pickle.Tuple}s. */
    static byte[] encode(Map<String, Object> message, JsonMapper mapper) {
        if (needsPickle(message, 0)) {
            return Pickle.write(message);
        }
        return JsonTree.write(message, mapper).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Decodes a message; {@code null} when it is neither a pickle nor JSON, or not a dict with a
     * {@code method}.
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> decode(byte[] bytes) {
        Object data = null;
        if (bytes.length > 0 && (bytes[0] & 0xff) == 0x80) {
            try {
                data = Pickle.read(bytes);
            } catch (IllegalArgumentException e) {
                data = null;
            }
        }
        if (data == null) {
            try {
                data = JsonTree.parse(new String(bytes, StandardCharsets.UTF_8));
            } catch (RuntimeException e) {
                return null;
            }
        }
        if (!(data instanceof Map) || !(((Map<?, ?>) data).get("method") instanceof String)) {
            return null;
        }
        return (Map<String, Object>) data;
    }

    /** Turns event arguments into python's {@code data}: nothing, one value, or a tuple. */
    static Object dataOf(List<Object> treeArgs) {
        if (treeArgs.isEmpty()) {
            return null;
        }
        if (treeArgs.size() == 1) {
            return treeArgs.get(0);
        }
        return new Pickle.Tuple(treeArgs);
    }

    /** Turns python's {@code data} back into event arguments. */
    static List<Object> argsOf(Object data) {
        if (data == null) {
            return List.of();
        }
        if (data instanceof Pickle.Tuple) {
            return new ArrayList<>((Pickle.Tuple) data);
        }
        List<Object> one = new ArrayList<>(1);
        one.add(data);
        return one;
    }

    /** Python's {@code room}/{@code skip_sid}: null, one string, or a list of strings. */
    static Object roomsValue(Collection<String> rooms) {
        if (rooms.isEmpty()) {
            return null;
        }
        if (rooms.size() == 1) {
            return rooms.iterator().next();
        }
        return new ArrayList<>(rooms);
    }

    /** Reads python's {@code room}/{@code skip_sid} into a list of strings. */
    static List<String> roomsOf(Object value) {
        List<String> out = new ArrayList<>();
        if (value instanceof Collection) {
            for (Object o : (Collection<?>) value) {
                if (o != null) {
                    out.add(String.valueOf(o));
                }
            }
        } else if (value != null) {
            out.add(String.valueOf(value));
        }
        return out;
    }

    /** Converts application objects to JSON trees, keeping {@code byte[]} and tuples. */
    static Object toTree(Object value, JsonMapper mapper, int depth) {
        if (depth > 128) {
            throw new IllegalArgumentException("value nested deeper than 128");
        }
        if (value == null || value instanceof String || value instanceof Boolean || value instanceof Number
                || value instanceof byte[]) {
            return value;
        }
        if (value instanceof Character || value instanceof Enum) {
            return value.toString();
        }
        if (value instanceof Map) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                out.put(String.valueOf(e.getKey()), toTree(e.getValue(), mapper, depth + 1));
            }
            return out;
        }
        if (value instanceof Iterable) {
            List<Object> out = value instanceof Pickle.Tuple ? new Pickle.Tuple(List.of()) : new ArrayList<>();
            for (Object o : (Iterable<?>) value) {
                out.add(toTree(o, mapper, depth + 1));
            }
            return out;
        }
        if (value.getClass().isArray()) {
            List<Object> out = new ArrayList<>();
            int n = java.lang.reflect.Array.getLength(value);
            for (int i = 0; i < n; i++) {
                out.add(toTree(java.lang.reflect.Array.get(value, i), mapper, depth + 1));
            }
            return out;
        }
        return toTree(mapper.toTree(value), mapper, depth + 1);
    }

    private static boolean needsPickle(Object value, int depth) {
        if (value instanceof byte[] || value instanceof Pickle.Tuple) {
            return true;
        }
        if (depth > 128) {
            return false;
        }
        if (value instanceof Map) {
            for (Object v : ((Map<?, ?>) value).values()) {
                if (needsPickle(v, depth + 1)) {
                    return true;
                }
            }
        } else if (value instanceof Collection) {
            for (Object v : (Collection<?>) value) {
                if (needsPickle(v, depth + 1)) {
                    return true;
                }
            }
        }
        return false;
    }
}
