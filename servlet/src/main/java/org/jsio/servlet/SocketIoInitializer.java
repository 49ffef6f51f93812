package org.jsio.servlet;

import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.annotation.HandlesTypes;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers a {@link SocketIoServlet} for each Socket.IO server factory a web application names,
 * when the application starts. The container finds this initializer in the jar (through
 * {@code META-INF/services/jakarta.servlet.ServletContainerInitializer}); the application names its
 * factories in either of two ways:
 * <ul>
 *   <li>a {@link SocketIoServerFactory} (or {@link EngineServerFactory}) class annotated with
 *       {@link SocketIoMapping}, found by the container's annotation scan;</li>
 *   <li>the context-param {@value #FACTORY_CONTEXT_PARAM} naming the factory class, with the
 *       optional {@value #MAPPING_CONTEXT_PARAM} giving its URL patterns (comma-separated, default
 *       {@code /socket.io/*}); this works with {@code metadata-complete="true"} and for factories
 *       outside the WAR:
 * <pre>{@code
 * <context-param>
 *   <param-name>org.jsio.servlet.factory</param-name>
 *   <param-value>com.example.ChatServerFactory</param-value>
 * </context-param>
 * }</pre></li>
 * </ul>
 * Each servlet is async-supported, loaded on startup, built with its factory exactly as a
 * {@code web.xml} declaration with the {@code factory} init-param would be, and closes its server
 * when the application stops. A servlet name that the application already declares is left alone
 * (so {@code web.xml} wins); a URL pattern that another servlet already has fails the start.
 * Without annotated classes or the context-param, this initializer does nothing.
 */
@HandlesTypes(SocketIoMapping.class)
public final class SocketIoInitializer implements ServletContainerInitializer {
    private static final Logger LOG = LoggerFactory.getLogger(SocketIoInitializer.class);

    /** The context-param naming a factory class to register without the annotation. */
    public static final String FACTORY_CONTEXT_PARAM = "org.jsio.servlet.factory";
    /** The context-param with the URL patterns for {@value #FACTORY_CONTEXT_PARAM}'s servlet. */
    public static final String MAPPING_CONTEXT_PARAM = "org.jsio.servlet.mapping";
    /** The servlet name for {@value #FACTORY_CONTEXT_PARAM}'s servlet. */
    public static final String CONTEXT_PARAM_SERVLET_NAME = "socketio";

    /** Called by the container, not by applications. */
    public SocketIoInitializer() {
    }

    @Override
    public void onStartup(Set<Class<?>> annotated, ServletContext context) throws ServletException {
        List<Class<?>> factories = new ArrayList<>(annotated == null ? Set.of() : annotated);
        factories.sort(Comparator.comparing(Class::getName));
        for (Class<?> type : factories) {
            SocketIoMapping mapping = type.getAnnotation(SocketIoMapping.class);
            if (mapping == null) {
                continue; // a subclass of an annotated class: only the annotated class itself counts
            }
            checkFactory(type);
            String name = mapping.name().isBlank() ? "socketio:" + type.getName() : mapping.name();
            register(context, name, type.getName(), mapping.value(), "@" + SocketIoMapping.class.getSimpleName());
        }
        String factory = context.getInitParameter(FACTORY_CONTEXT_PARAM);
        if (factory != null && !factory.isBlank()) {
            String patterns = context.getInitParameter(MAPPING_CONTEXT_PARAM);
            String[] mapping = patterns == null || patterns.isBlank()
                    ? new String[] {"/socket.io/*"}
                    : patterns.trim().split("\\s*,\\s*");
            register(context, CONTEXT_PARAM_SERVLET_NAME, factory.trim(), mapping,
                    "context-param " + FACTORY_CONTEXT_PARAM);
        }
    }

    private static void checkFactory(Class<?> type) throws ServletException {
        if (type.isInterface() || Modifier.isAbstract(type.getModifiers())
                || !(SocketIoServerFactory.class.isAssignableFrom(type) || EngineServerFactory.class.isAssignableFrom(type))) {
            throw new ServletException("@" + SocketIoMapping.class.getSimpleName() + " on " + type.getName()
                    + ": it must be a concrete class implementing " + SocketIoServerFactory.class.getName()
                    + " or " + EngineServerFactory.class.getName());
        }
    }

    private static void register(ServletContext context, String name, String factory, String[] patterns, String source)
            throws ServletException {
        if (patterns.length == 0) {
            throw new ServletException(source + " for " + factory + " gives no URL pattern");
        }
        ServletRegistration.Dynamic servlet = context.addServlet(name, SocketIoServlet.class);
        if (servlet == null) {
            LOG.info("{}: the application already declares a servlet named '{}'; {} not registered again",
                    source, name, factory);
            return;
        }
        servlet.setInitParameter(SocketIoServlet.FACTORY_PARAM, factory);
        servlet.setAsyncSupported(true);
        servlet.setLoadOnStartup(1);
        Set<String> taken = servlet.addMapping(patterns);
        if (!taken.isEmpty()) {
            throw new ServletException(source + ": URL patterns " + taken + " for " + factory
                    + " are already mapped to another servlet");
        }
        LOG.info("Socket.IO servlet '{}' ({}) registered on {} by {}", name, factory, String.join(", ", patterns), source);
    }
}
