package org.jsio.servlet;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@link SocketIoServerFactory} (or {@link EngineServerFactory}) class of a web
 * application so that the container registers a {@link SocketIoServlet} for it when the
 * application starts, with no {@code web.xml} entry: {@link SocketIoInitializer}, a
 * {@code ServletContainerInitializer} in this jar, finds the annotated classes.
 *
 * <pre>{@code
 * @SocketIoMapping("/socket.io/*")
 * public class ChatServerFactory implements SocketIoServerFactory {
 *     public SocketIoServer create(ServletConfig config) {
 *         SocketIoServer sio = SocketIoServer.create();
 *         sio.on("chat", (socket, args) -> { sio.emit("chat", args[0]); return null; });
 *         return sio;
 *     }
 * }
 * }</pre>
 *
 * <p>The class needs a public no-argument constructor. The servlet is async-supported, loaded on
 * startup, and owns the server (closed when the application stops). The container only looks for
 * annotated classes in {@code WEB-INF/classes} and {@code WEB-INF/lib}, and not at all when
 * {@code web.xml} says {@code metadata-complete="true"}; the context-param
 * {@value SocketIoInitializer#FACTORY_CONTEXT_PARAM} names a factory without the annotation.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface SocketIoMapping {

    /** The servlet's URL patterns; the official clients' default is {@code /socket.io/*}. */
    String[] value() default {"/socket.io/*"};

    /** The servlet's name; by default {@code socketio:} and the factory's class name. */
    String name() default "";
}
