package org.jsio.servlet;

import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.concurrent.Executor;
import org.jsio.internal.IdentityCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the executor of the Tomcat connector that serves a request, for the engine to run the
 * request's handlers on Tomcat's own request threads (see
 * {@link org.jsio.engine.spi.HttpExchange#executor()}). On Tomcat the event's handler then often
 * runs on the thread that read the event, once that thread is back in its pool, instead of waking
 * one of the server's threads, which costs Tomcat more than the handler itself (BENCHMARKS.md,
 * eighth round). Tomcat's request object is reached by reflection ({@code RequestFacade} keeps it
 * in a field); its connector and the connector's executor through public methods. Anything else,
 * or anything unexpected, gives {@code null}, and the handlers run on the server's executor.
 */
final class TomcatExecutors {
    private static final Logger LOG = LoggerFactory.getLogger(TomcatExecutors.class);
    private static final String FACADE = "org.apache.catalina.connector.RequestFacade";

    /** The reflective path, looked up once; a path with a null field: not available. */
    private static volatile Path path;
    /**
     * How to ask each connector for its executor, or null: a server has one connector or a few
     * (HTTP and HTTPS). The executor itself is asked for each time: a connector that is stopped
     * and started again has a new one.
     */
    private static final IdentityCache<Object, Source> SOURCES = new IdentityCache<>(8);

    private TomcatExecutors() {
    }

    private record Path(Field request, Method connector) {
    }

    /** A connector's protocol handler and its {@code getExecutor()}. */
    private record Source(Object handler, Method executor) {
    }

    /** The executor of the connector serving {@code request}, or {@code null}. */
    static Executor of(ServletRequest request) {
        ServletRequest r = request;
        while (r instanceof ServletRequestWrapper w) {
            r = w.getRequest();
        }
        if (!r.getClass().getName().equals(FACADE)) {
            return null;
        }
        Path p = path;
        if (p == null) {
            p = lookUp(r.getClass());
            path = p;
        }
        if (p.request() == null) {
            return null;
        }
        try {
            Object connector = p.connector().invoke(p.request().get(r));
            Source source = connector == null ? null : SOURCES.get(connector, TomcatExecutors::sourceOf);
            if (source == null) {
                return null;
            }
            Object executor = source.executor().invoke(source.handler());
            return executor instanceof Executor e ? e : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debug("no Tomcat executor for a request: {}", e.toString());
            return null;
        }
    }

    /** How to ask a Tomcat connector for its executor, or null if that cannot be reached. */
    private static Source sourceOf(Object connector) {
        try {
            Object handler = connector.getClass().getMethod("getProtocolHandler").invoke(connector);
            return new Source(handler, handler.getClass().getMethod("getExecutor"));
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debug("no executor for Tomcat connector {}: {}", connector, e.toString());
            return null;
        }
    }

    private static Path lookUp(Class<?> facade) {
        try {
            Field f = facade.getDeclaredField("request");
            f.setAccessible(true);
            Method m = f.getType().getMethod("getConnector");
            return new Path(f, m);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.info("Tomcat's connector executor not reachable ({}); handlers run on the server's executor",
                    e.toString());
            return new Path(null, null);
        }
    }
}
