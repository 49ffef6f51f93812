package org.jsio.socketio;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method of a class-based namespace as the handler of an event:
 * {@code @On("chat message") Object chat(Socket socket, Object... args)}. See
 * {@link SocketIoServer#registerNamespace(String, Object)}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface On {
    /** The event name ({@code "connect"} and {@code "disconnect"} included). */
    String value();
}
