package org.jsio.manager;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jsio.json.GsonJsonMapper;
import org.junit.jupiter.api.Test;

/**
 * The bytes of python-socketio's pub/sub messages: pickles written by CPython 3.11's
 * {@code pickle.dumps} (python-socketio's Redis manager writes them so), and the JSON this
 * library writes, compared with what python-socketio's {@code PubSubManager} builds.
 */
class PubSubMessagesTest {
    // pickle.dumps({'method':'emit','event':'news','data':{'a':1,'b':[1.5,None,True],'big':2**70,'neg':-5},
    //   'namespace':'/chat','room':'r1','skip_sid':['s1','s2'],'callback':None,'host_id':'abc123'})
    private static final String PY_EMIT = "800495bc000000000000007d94288c066d6574686f64948c04656d6974948c056576656e"
            + "74948c046e657773948c0464617461947d94288c0161944b018c0162945d9428473ff80000000000004e88658c03626967"
            + "948a090000000000000000408c036e6567944afbffffff758c096e616d657370616365948c052f63686174948c04726f6f"
            + "6d948c027231948c08736b69705f736964945d94288c027331948c02733294658c0863616c6c6261636b944e8c07686f73"
            + "745f6964948c0661626331323394752e";
    // pickle.dumps({'method':'emit','event':'multi','data':('x',2,b'\x00\xff'),'namespace':'/','room':None,
    //   'skip_sid':None,'callback':('sidA','/',7),'host_id':'h2'})
    private static final String PY_TUPLE = "80049584000000000000007d94288c066d6574686f64948c04656d6974948c05657665"
            + "6e74948c056d756c7469948c0464617461948c0178944b02430200ff9487948c096e616d657370616365948c012f948c04"
            + "726f6f6d944e8c08736b69705f736964944e8c0863616c6c6261636b948c047369644194680a4b0787948c07686f737"
            + "45f6964948c02683294752e";
    // pickle.dumps({'method':'emit','event':'e','data':datetime.date(2020,1,1)})
    private static final String PY_GLOBAL = "80049547000000000000007d94288c066d6574686f64948c04656d6974948c0565766"
            + "56e74948c0165948c0464617461948c086461746574696d65948c0464617465949394430407e401019485945294752e";
    // pickle.dumps({'method':'callback','host_id':'me','sid':'s','namespace':'/','id':3,'args':(42,'ok')})
    private static final String PY_CALLBACK = "80049559000000000000007d94288c066d6574686f64948c0863616c6c6261636b9"
            + "48c07686f73745f6964948c026d65948c03736964948c0173948c096e616d657370616365948c012f948c026964944b038c"
            + "0461726773944b2a8c026f6b948694752e";

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    @Test
    void readsPythonsPickledEmit() {
        Map<String, Object> m = PubSubMessages.decode(hex(PY_EMIT));
        assertEquals("emit", m.get("method"));
        assertEquals("news", m.get("event"));
        assertEquals("/chat", m.get("namespace"));
        assertEquals("r1", m.get("room"));
        assertEquals(List.of("s1", "s2"), PubSubMessages.roomsOf(m.get("skip_sid")));
        assertNull(m.get("callback"));
        assertEquals("abc123", m.get("host_id"));
        List<Object> args = PubSubMessages.argsOf(m.get("data"));
        assertEquals(1, args.size());
        Map<?, ?> data = (Map<?, ?>) args.get(0);
        assertEquals(1, data.get("a"));
        assertEquals(Arrays.asList(1.5, null, true), data.get("b"));
        assertEquals(BigInteger.TWO.pow(70), data.get("big"));
        assertEquals(-5, data.get("neg"));
    }

    @Test
    void aTupleIsSeveralArgumentsAndBytesStayBinary() {
        Map<String, Object> m = PubSubMessages.decode(hex(PY_TUPLE));
        List<Object> args = PubSubMessages.argsOf(m.get("data"));
        assertEquals(3, args.size());
        assertEquals("x", args.get(0));
        assertEquals(2, args.get(1));
        assertArrayEquals(new byte[] {0, (byte) 0xff}, (byte[]) args.get(2));
        assertEquals(List.of("sidA", "/", 7), m.get("callback"));
        assertEquals(List.of(), PubSubMessages.roomsOf(m.get("room")));
    }

    @Test
    void readsPythonsCallback() {
        Map<String, Object> m = PubSubMessages.decode(hex(PY_CALLBACK));
        assertEquals("callback", m.get("method"));
        assertEquals(3, m.get("id"));
        assertEquals(List.of(42, "ok"), m.get("args"));
    }

    @Test
    void refusesPicklesThatNameClasses() {
        assertThrows(Pickle.PickleException.class, () -> Pickle.read(hex(PY_GLOBAL)));
        assertNull(PubSubMessages.decode(hex(PY_GLOBAL)));
        assertNull(PubSubMessages.decode(hex(PY_EMIT.substring(0, 120))));
        assertNull(PubSubMessages.decode("not json".getBytes(StandardCharsets.UTF_8)));
        assertNull(PubSubMessages.decode("{\"event\":\"no method\"}".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void writesTheJsonPythonsManagerBuilds() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", "emit");
        m.put("event", "news");
        m.put("data", PubSubMessages.dataOf(List.of(Map.of("n", 1))));
        m.put("namespace", "/");
        m.put("room", PubSubMessages.roomsValue(List.of("r1")));
        m.put("skip_sid", PubSubMessages.roomsValue(List.of("a", "b")));
        m.put("callback", null);
        m.put("host_id", "h1");
        String json = new String(PubSubMessages.encode(m, new GsonJsonMapper()), StandardCharsets.UTF_8);
        assertEquals("{\"method\":\"emit\",\"event\":\"news\",\"data\":{\"n\":1},\"namespace\":\"/\",\"room\":\"r1\","
                + "\"skip_sid\":[\"a\",\"b\"],\"callback\":null,\"host_id\":\"h1\"}", json);
        assertEquals(m, PubSubMessages.decode(json.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void binaryOrSeveralArgumentsAreWrittenAsAPickleThatReadsBack() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", "emit");
        m.put("event", "frame");
        m.put("data", PubSubMessages.dataOf(Arrays.asList("caption", new byte[300], -7L, 1L << 40, 2.25, null,
                "\u00e9t\u00e9 \ud83d\ude00", "x".repeat(300))));
        m.put("host_id", "h1");
        byte[] bytes = PubSubMessages.encode(m, new GsonJsonMapper());
        assertEquals(0x80, bytes[0] & 0xff);
        Map<String, Object> back = PubSubMessages.decode(bytes);
        List<Object> args = PubSubMessages.argsOf(back.get("data"));
        assertEquals(8, args.size());
        assertEquals("caption", args.get(0));
        assertArrayEquals(new byte[300], (byte[]) args.get(1));
        assertEquals(-7L, ((Number) args.get(2)).longValue());
        assertEquals(1L << 40, ((Number) args.get(3)).longValue());
        assertEquals(2.25, args.get(4));
        assertNull(args.get(5));
        assertEquals("\u00e9t\u00e9 \ud83d\ude00", args.get(6));
        assertEquals("x".repeat(300), args.get(7));
        assertTrue(bytes.length > 600);
    }

    @Test
    void noArgumentsIsNoneAndOneListStaysOneArgument() {
        assertNull(PubSubMessages.dataOf(List.of()));
        assertEquals(List.of(), PubSubMessages.argsOf(null));
        Object one = PubSubMessages.dataOf(List.of(List.of(1, 2)));
        assertEquals(List.of(List.of(1, 2)), PubSubMessages.argsOf(one));
        assertInstanceOf(Pickle.Tuple.class, PubSubMessages.dataOf(List.of(1, 2)));
    }
}
