package org.jsio.manager;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The data subset of Python's pickle format, which python-socketio's Redis manager uses for its
 * messages: dicts, lists, tuples, strings, bytes, ints, floats, booleans and {@code None}.
 *
 * <p>Reading refuses every opcode that names a class or calls a function ({@code GLOBAL},
 * {@code REDUCE}, {@code BUILD}, ...), so a message can never make this process create objects
 * other than plain values. Writing uses protocol 4 opcodes without frames, which every Python 3.4+
 * reads.
 */
final class Pickle {
    private static final int MAX_DEPTH = 128;

    private Pickle() {
    }

    /** A Python tuple: a list that came from (or is written as) a tuple. */
    static final class Tuple extends ArrayList<Object> {
        private static final long serialVersionUID = 1L;

        Tuple(Collection<?> items) {
            super(items);
        }
    }

    /** Thrown for data that is not a pickle this reader accepts. */
    static final class PickleException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        PickleException(String message) {
            super(message);
        }
    }

    // ---------------------------------------------------------------- writing

    /** Pickles a tree of maps, lists, {@link Tuple}s, strings, byte arrays, numbers, booleans and nulls. */
    static byte[] write(Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        out.write(0x80);
        out.write(4);
        write(value, out, 0);
        out.write('.');
        return out.toByteArray();
    }

    private static void write(Object value, ByteArrayOutputStream out, int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("value nested deeper than " + MAX_DEPTH);
        }
        if (value == null) {
            out.write('N');
        } else if (value instanceof Boolean) {
            out.write((Boolean) value ? 0x88 : 0x89);
        } else if (value instanceof String) {
            byte[] utf8 = ((String) value).getBytes(StandardCharsets.UTF_8);
            if (utf8.length < 256) {
                out.write(0x8c);
                out.write(utf8.length);
            } else {
                out.write('X');
                writeInt32(out, utf8.length);
            }
            out.write(utf8, 0, utf8.length);
        } else if (value instanceof byte[]) {
            byte[] b = (byte[]) value;
            if (b.length < 256) {
                out.write('C');
                out.write(b.length);
            } else {
                out.write('B');
                writeInt32(out, b.length);
            }
            out.write(b, 0, b.length);
        } else if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            out.write('J');
            writeInt32(out, ((Number) value).intValue());
        } else if (value instanceof Long || value instanceof BigInteger) {
            BigInteger big = value instanceof Long ? BigInteger.valueOf((Long) value) : (BigInteger) value;
            byte[] be = big.toByteArray();
            out.write(0x8a);
            out.write(be.length);
            for (int i = be.length - 1; i >= 0; i--) {
                out.write(be[i]);
            }
        } else if (value instanceof Number) {
            out.write('G');
            byte[] d = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN)
                    .putDouble(((Number) value).doubleValue()).array();
            out.write(d, 0, 8);
        } else if (value instanceof Map) {
            out.write('}');
            Map<?, ?> map = (Map<?, ?>) value;
            if (!map.isEmpty()) {
                out.write('(');
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    write(String.valueOf(e.getKey()), out, depth + 1);
                    write(e.getValue(), out, depth + 1);
                }
                out.write('u');
            }
        } else if (value instanceof Tuple) {
            out.write('(');
            for (Object o : (Tuple) value) {
                write(o, out, depth + 1);
            }
            out.write('t');
        } else if (value instanceof Collection) {
            out.write(']');
            Collection<?> list = (Collection<?>) value;
            if (!list.isEmpty()) {
                out.write('(');
                for (Object o : list) {
                    write(o, out, depth + 1);
                }
                out.write('e');
            }
        } else {
            throw new IllegalArgumentException("cannot pickle a " + value.getClass().getName());
        }
    }

    private static void writeInt32(ByteArrayOutputStream out, int v) {
        out.write(v);
        out.write(v >>> 8);
        out.write(v >>> 16);
        out.write(v >>> 24);
    }

    // ---------------------------------------------------------------- reading

    private static final Object MARK = new Object();

    /** Unpickles plain data; tuples become {@link Tuple}, sets become lists. */
    static Object read(byte[] data) {
        ByteBuffer in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        Deque<Integer> marks = new ArrayDeque<>();
        List<Object> stackList = new ArrayList<>();
        Map<Long, Object> memo = new HashMap<>();
        try {
            while (true) {
                int op = in.get() & 0xff;
                switch (op) {
                    case 0x80: // PROTO
                        in.get();
                        break;
                    case 0x95: // FRAME
                        in.getLong();
                        break;
                    case '.': // STOP
                        if (stackList.size() != 1) {
                            throw new PickleException("pickle ends with " + stackList.size() + " values on the stack");
                        }
                        return stackList.get(0);
                    case '(':
                        marks.push(stackList.size());
                        break;
                    case '}':
                        stackList.add(new LinkedHashMap<String, Object>());
                        break;
                    case ']':
                        stackList.add(new ArrayList<Object>());
                        break;
                    case ')':
                        stackList.add(new Tuple(List.of()));
                        break;
                    case 0x8f: // EMPTY_SET
                        stackList.add(new ArrayList<Object>());
                        break;
                    case 't': // TUPLE
                        stackList.add(new Tuple(popMark(stackList, marks)));
                        break;
                    case 0x91: // FROZENSET
                        stackList.add(new ArrayList<>(popMark(stackList, marks)));
                        break;
                    case 0x85:
                    case 0x86:
                    case 0x87: { // TUPLE1..3
                        int n = op - 0x84;
                        need(stackList, n);
                        List<Object> top = stackList.subList(stackList.size() - n, stackList.size());
                        Tuple t = new Tuple(top);
                        top.clear();
                        stackList.add(t);
                        break;
                    }
                    case 's': { // SETITEM
                        need(stackList, 3);
                        Object v = stackList.remove(stackList.size() - 1);
                        Object k = stackList.remove(stackList.size() - 1);
                        dict(stackList.get(stackList.size() - 1)).put(String.valueOf(k), v);
                        break;
                    }
                    case 'u': { // SETITEMS
                        List<Object> items = popMark(stackList, marks);
                        need(stackList, 1);
                        Map<String, Object> d = dict(stackList.get(stackList.size() - 1));
                        for (int i = 0; i + 1 < items.size(); i += 2) {
                            d.put(String.valueOf(items.get(i)), items.get(i + 1));
                        }
                        break;
                    }
                    case 'a': { // APPEND
                        need(stackList, 2);
                        Object v = stackList.remove(stackList.size() - 1);
                        list(stackList.get(stackList.size() - 1)).add(v);
                        break;
                    }
                    case 'e': // APPENDS
                    case 0x90: { // ADDITEMS
                        List<Object> items = popMark(stackList, marks);
                        need(stackList, 1);
                        list(stackList.get(stackList.size() - 1)).addAll(items);
                        break;
                    }
                    case 'N':
                        stackList.add(null);
                        break;
                    case 0x88:
                        stackList.add(Boolean.TRUE);
                        break;
                    case 0x89:
                        stackList.add(Boolean.FALSE);
                        break;
                    case 'J':
                        stackList.add(in.getInt());
                        break;
                    case 'K':
                        stackList.add(in.get() & 0xff);
                        break;
                    case 'M':
                        stackList.add(in.getShort() & 0xffff);
                        break;
                    case 0x8a: // LONG1
                        stackList.add(readLong(in, in.get() & 0xff));
                        break;
                    case 0x8b: // LONG4
                        stackList.add(readLong(in, length(in, in.getInt())));
                        break;
                    case 'G':
                        stackList.add(in.order(ByteOrder.BIG_ENDIAN).getDouble());
                        in.order(ByteOrder.LITTLE_ENDIAN);
                        break;
                    case 0x8c: // SHORT_BINUNICODE
                        stackList.add(new String(bytes(in, in.get() & 0xff), StandardCharsets.UTF_8));
                        break;
                    case 'X':
                        stackList.add(new String(bytes(in, length(in, in.getInt())), StandardCharsets.UTF_8));
                        break;
                    case 0x8d:
                        stackList.add(new String(bytes(in, length(in, in.getLong())), StandardCharsets.UTF_8));
                        break;
                    case 'C':
                        stackList.add(bytes(in, in.get() & 0xff));
                        break;
                    case 'B':
                        stackList.add(bytes(in, length(in, in.getInt())));
                        break;
                    case 0x8e: // BINBYTES8
                    case 0x96: // BYTEARRAY8
                        stackList.add(bytes(in, length(in, in.getLong())));
                        break;
                    case 0x94: // MEMOIZE
                        need(stackList, 1);
                        memo.put((long) memo.size(), stackList.get(stackList.size() - 1));
                        break;
                    case 'q':
                        need(stackList, 1);
                        memo.put((long) (in.get() & 0xff), stackList.get(stackList.size() - 1));
                        break;
                    case 'r':
                        need(stackList, 1);
                        memo.put(in.getInt() & 0xffffffffL, stackList.get(stackList.size() - 1));
                        break;
                    case 'h':
                        stackList.add(memoGet(memo, in.get() & 0xff));
                        break;
                    case 'j':
                        stackList.add(memoGet(memo, in.getInt() & 0xffffffffL));
                        break;
                    case '0': // POP
                        need(stackList, 1);
                        stackList.remove(stackList.size() - 1);
                        break;
                    case '1': // POP_MARK
                        popMark(stackList, marks);
                        break;
                    case '2': // DUP
                        need(stackList, 1);
                        stackList.add(stackList.get(stackList.size() - 1));
                        break;
                    default:
                        throw new PickleException(String.format("pickle opcode 0x%02x is not accepted", op));
                }
                if (marks.size() > MAX_DEPTH || stackList.size() > data.length) {
                    throw new PickleException("pickle nested too deeply");
                }
            }
        } catch (java.nio.BufferUnderflowException e) {
            throw new PickleException("truncated pickle");
        }
    }

    private static void need(List<Object> stack, int n) {
        if (stack.size() < n) {
            throw new PickleException("pickle stack underflow");
        }
    }

    private static List<Object> popMark(List<Object> stack, Deque<Integer> marks) {
        if (marks.isEmpty()) {
            throw new PickleException("pickle has no mark to pop");
        }
        int at = marks.pop();
        List<Object> top = stack.subList(at, stack.size());
        List<Object> items = new ArrayList<>(top);
        top.clear();
        return items;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> dict(Object o) {
        if (!(o instanceof Map)) {
            throw new PickleException("SETITEM on something that is not a dict");
        }
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        if (!(o instanceof List) || o instanceof Tuple) {
            throw new PickleException("APPEND on something that is not a list");
        }
        return (List<Object>) o;
    }

    private static Object memoGet(Map<Long, Object> memo, long key) {
        if (!memo.containsKey(key)) {
            throw new PickleException("pickle refers to a missing memo entry");
        }
        return memo.get(key);
    }

    private static int length(ByteBuffer in, long n) {
        if (n < 0 || n > in.remaining()) {
            throw new PickleException("truncated pickle");
        }
        return (int) n;
    }

    private static byte[] bytes(ByteBuffer in, int n) {
        byte[] b = new byte[length(in, n)];
        in.get(b);
        return b;
    }

    private static Object readLong(ByteBuffer in, int n) {
        if (n == 0) {
            return 0L;
        }
        byte[] le = bytes(in, n);
        byte[] be = new byte[n];
        for (int i = 0; i < n; i++) {
            be[i] = le[n - 1 - i];
        }
        BigInteger v = new BigInteger(be);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }
}
