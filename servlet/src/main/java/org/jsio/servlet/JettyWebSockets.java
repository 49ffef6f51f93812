package org.jsio.servlet;

import jakarta.servlet.ServletContext;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds out, once per servlet or filter, whether its WebSocket upgrades can go through Jetty 12's
 * WebSocket core ({@code JettyCoreUpgrade}): when the servlet runs in a context of Jetty 12's ee10
 * or ee11 servlet environment and this library can see Jetty's WebSocket classes and that
 * environment's (whether or not the context has Jetty's Jakarta WebSocket support).
 * {@link EngineBinding} chooses another way when they cannot.
 *
 * <p>This class names no Jetty type: it only looks classes up by name, and loads
 * {@code JettyCoreUpgrade} (which does name them) only once they were all found, so the servlet
 * jar runs on Tomcat, or on a stand-alone Jetty that hides its server classes from web
 * applications, without a {@code NoClassDefFoundError}.
 */
final class JettyWebSockets {
    private static final Logger LOG = LoggerFactory.getLogger(JettyWebSockets.class);

    /** Jetty classes the core upgrade needs; all must be visible to this library's class loader. */
    private static final String[] REQUIRED = {
        "org.eclipse.jetty.websocket.core.FrameHandler",
        "org.eclipse.jetty.websocket.core.server.WebSocketMappings",
        "org.eclipse.jetty.websocket.core.server.internal.AbstractHandshaker",
        "org.eclipse.jetty.websocket.core.server.internal.RFC6455Negotiation",
    };
    /**
     * Jetty's servlet environments: the {@link JettyServletEnvironment} for each, and the Jetty
     * classes it needs.
     */
    private static final String[][] ENVIRONMENTS = {
        {"org.jsio.servlet.JettyServletEnvironment$Ee10",
            "org.eclipse.jetty.ee10.servlet.ServletContextHandler", "org.eclipse.jetty.ee10.servlet.ServletCoreRequest"},
        {"org.jsio.servlet.JettyServletEnvironment$Ee11",
            "org.eclipse.jetty.ee11.servlet.ServletContextHandler", "org.eclipse.jetty.ee11.servlet.ServletCoreRequest"},
    };
    private static final String UPGRADE_CLASS = "org.jsio.servlet.JettyCoreUpgrade";

    private JettyWebSockets() {
    }

    /**
     * The Jetty core upgrade for a servlet or filter, if it can use it (logged at INFO; why not, at
     * DEBUG).
     *
     * @param context its servlet context
     * @param enabled false to not use Jetty's WebSocket core whatever the container
     * @param who the servlet or filter, for the log
     * @return the Jetty core upgrade, or {@code null}
     */
    static WebSocketUpgrade choose(ServletContext context, boolean enabled, String who) {
        if (!enabled) {
            LOG.debug("{}: Jetty's WebSocket core switched off by {}", who, SocketIoServlet.JETTY_CORE_PARAM);
            return null;
        }
        String why;
        try {
            WebSocketUpgrade upgrade = load(context);
            LOG.info("{}: WebSocket through {}", who, upgrade);
            return upgrade;
        } catch (ClassNotFoundException e) {
            why = "Jetty's WebSocket core is not visible to this web application (" + e.getMessage() + ")";
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            why = cause.getMessage() == null ? cause.toString() : cause.getMessage();
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            why = "Jetty's WebSocket core cannot be used: " + e;
        }
        LOG.debug("{}: not through Jetty's WebSocket core: {}", who, why);
        return null;
    }

    private static WebSocketUpgrade load(ServletContext context) throws ReflectiveOperationException {
        if (context == null) {
            throw new InvocationTargetException(new IllegalStateException("no servlet context"));
        }
        ClassLoader loader = JettyWebSockets.class.getClassLoader();
        for (String name : REQUIRED) {
            Class.forName(name, false, loader);
        }
        List<String> environments = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String[] environment : ENVIRONMENTS) {
            try {
                for (int i = 1; i < environment.length; i++) {
                    Class.forName(environment[i], false, loader);
                }
                environments.add(environment[0]);
            } catch (ClassNotFoundException e) {
                missing.add(e.getMessage());
            }
        }
        if (environments.isEmpty()) {
            throw new ClassNotFoundException(String.join(", ", missing));
        }
        Class<?> type = Class.forName(UPGRADE_CLASS, true, loader);
        return (WebSocketUpgrade) type.getDeclaredConstructor(ServletContext.class, List.class)
                .newInstance(context, environments);
    }
}
