package org.jsio.socketio;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.util.Map;
import org.jsio.engine.DisconnectReason;
import org.jsio.json.JsonMapper;

/** Turns the methods of a class-based namespace object into handlers. */
final class ClassNamespace {
    private ClassNamespace() {
    }

    static void register(Namespace nsp, Object target, JsonMapper mapper) {
        for (Method m : target.getClass().getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() == Object.class) {
                continue;
            }
            String event = eventOf(m);
            if (event == null) {
                continue;
            }
            if (m.getParameterCount() == 0 || m.getParameterTypes()[0] != Socket.class) {
                throw new IllegalArgumentException("handler method " + m + " must take a Socket first");
            }
            if ("connect".equals(event)) {
                nsp.classConnectHandler((socket, auth) -> invoke(m, target, socket,
                        m.getParameterCount() == 1 ? new Object[0] : new Object[] {auth}, mapper));
            } else if ("disconnect".equals(event)) {
                nsp.classDisconnectHandler((socket, reason) -> invoke(m, target, socket,
                        m.getParameterCount() == 1 ? new Object[0] : new Object[] {reason}, mapper));
            } else {
                nsp.classHandler(event, (socket, args) -> invoke(m, target, socket, args, mapper));
            }
        }
    }

    /** {@code @On("x")} gives "x"; {@code onSomeEvent} gives "someEvent"; other methods none. */
    private static String eventOf(Method m) {
        On on = m.getAnnotation(On.class);
        if (on != null) {
            return on.value();
        }
        String name = m.getName();
        if (name.length() > 2 && name.startsWith("on") && Character.isUpperCase(name.charAt(2))) {
            return Character.toLowerCase(name.charAt(2)) + name.substring(3);
        }
        return null;
    }

    private static Object invoke(Method m, Object target, Socket socket, Object[] args, JsonMapper mapper)
            throws Exception {
        Class<?>[] types = m.getParameterTypes();
        Type[] generic = m.getGenericParameterTypes();
        Object[] call = new Object[types.length];
        call[0] = socket;
        if (types.length == 2 && types[1] == Object[].class) {
            call[1] = args;
        } else {
            for (int i = 1; i < types.length; i++) {
                Object arg = i - 1 < args.length ? args[i - 1] : null;
                call[i] = bind(arg, types[i], generic[i], mapper);
            }
        }
        try {
            return m.invoke(target, call);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception) {
                throw (Exception) cause;
            }
            throw (Error) cause;
        }
    }

    private static Object bind(Object arg, Class<?> type, Type generic, JsonMapper mapper) {
        if (arg == null || type == Object.class || type.isInstance(arg)
                || arg instanceof DisconnectReason || (arg instanceof Map && type == Map.class)) {
            return arg;
        }
        return mapper.fromTree(arg, generic);
    }
}
