package org.jsio.testing;

import jakarta.servlet.http.HttpServlet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.IntrospectionUtils;
import org.apache.tomcat.websocket.server.WsSci;

/**
 * Tomcat 10.1 or 11 (embedded, whichever is on the class path) with Jakarta WebSocket support,
 * one root context. Socket.IO servlets there upgrade WebSockets with the Servlet API unless the
 * context-param {@code org.jsio.servlet.servletUpgrade} is {@code false} (the
 * {@value EmbeddedContainer#TOMCAT_JAKARTA} kind), when they go through Tomcat's Jakarta WebSocket
 * support. Its base directory is a temporary folder, deleted on {@link #close()}. See
 * {@link EmbeddedContainer}.
 */
public final class EmbeddedTomcat implements EmbeddedContainer {
    private final List<Mount> mounts = new ArrayList<>();
    private final Map<String, String> contextParameters = new LinkedHashMap<>();
    private final Map<String, String> connectorProperties = new LinkedHashMap<>();
    private Tomcat tomcat;
    private Connector connector;
    private Path baseDir;
    private boolean closed;

    /** An unstarted container; see {@link EmbeddedContainer#create}. */
    public EmbeddedTomcat() {
    }

    @Override
    public String kind() {
        return "tomcat";
    }

    /** Sets a context-param (web.xml {@code <context-param>}) of the root context. Only before start. */
    public synchronized EmbeddedTomcat contextParameter(String name, String value) {
        if (tomcat != null) {
            throw new IllegalStateException("set context parameters before start()");
        }
        contextParameters.put(name, value);
        return this;
    }

    /**
     * Sets a property of the HTTP connector, as an attribute of server.xml's {@code <Connector>}
     * would (for example {@code maxThreads}). Only before start.
     */
    public synchronized EmbeddedTomcat connectorProperty(String name, String value) {
        if (tomcat != null) {
            throw new IllegalStateException("set connector properties before start()");
        }
        connectorProperties.put(name, value);
        return this;
    }

    @Override
    public synchronized EmbeddedTomcat mount(String pathSpec, HttpServlet servlet) {
        if (tomcat != null) {
            throw new IllegalStateException("mount servlets before start()");
        }
        mounts.add(new Mount(pathSpec, servlet));
        return this;
    }

    /**
     * The one mapping call that both Tomcat 10.1 and 11 have: 10.1 marks it deprecated in favour of
     * {@code addServletMapping}, which 11 no longer has.
     */
    @SuppressWarnings("deprecation")
    private static void addMapping(Context context, String pathSpec, String servletName) {
        context.addServletMappingDecoded(pathSpec, servletName);
    }

    @Override
    public synchronized EmbeddedTomcat start(String host, int port) throws Exception {
        if (tomcat != null) {
            throw new IllegalStateException("already started");
        }
        baseDir = Files.createTempDirectory("jsio-tomcat-");
        Path docBase = Files.createDirectories(baseDir.resolve("webapps").resolve("ROOT"));

        Tomcat t = new Tomcat();
        t.setBaseDir(baseDir.toString());
        Connector c = new Connector("HTTP/1.1");
        c.setPort(port);
        c.setProperty("address", host);
        connectorProperties.forEach((name, value) -> {
            if (!c.setProperty(name, value)) {
                throw new IllegalArgumentException("no connector property " + name);
            }
        });
        t.setConnector(c);
        t.getHost().setAutoDeploy(false);

        Context context = t.addContext("", docBase.toString());
        if (context instanceof StandardContext) {
            // One class loader for the whole test JVM: the webapp leak checks only add noise.
            StandardContext standard = (StandardContext) context;
            // a property of Tomcat 10.1 that Tomcat 11 no longer has
            IntrospectionUtils.setProperty(standard, "clearReferencesObjectStreamClassCaches", "false");
            standard.setClearReferencesRmiTargets(false);
            standard.setClearReferencesThreadLocals(false);
        }
        context.addServletContainerInitializer(new WsSci(), null);
        contextParameters.forEach(context::addParameter);
        int n = 0;
        for (Mount m : mounts) {
            String name = "servlet-" + n++;
            Wrapper wrapper = Tomcat.addServlet(context, name, m.servlet);
            wrapper.setAsyncSupported(true);
            addMapping(context, m.pathSpec, name);
        }
        tomcat = t;
        connector = c;
        try {
            t.start();
        } catch (LifecycleException e) {
            close();
            throw e;
        }
        if (c.getLocalPort() <= 0) {
            close();
            throw new IOException("Tomcat could not listen on " + host + ":" + port);
        }
        return this;
    }

    @Override
    public synchronized int port() {
        if (connector == null) {
            throw new IllegalStateException("not started");
        }
        return connector.getLocalPort();
    }

    @Override
    public synchronized void close() {
        if (tomcat == null || closed) {
            return;
        }
        closed = true;
        try {
            tomcat.stop();
            tomcat.destroy();
        } catch (LifecycleException e) {
            throw new IllegalStateException("Tomcat did not stop cleanly", e);
        } finally {
            Folders.deleteTree(baseDir);
        }
    }

    @Override
    public String toString() {
        return "EmbeddedTomcat" + (connector == null ? "[not started]" : "[" + connector.getLocalPort() + "]");
    }

    private record Mount(String pathSpec, HttpServlet servlet) {
    }
}
