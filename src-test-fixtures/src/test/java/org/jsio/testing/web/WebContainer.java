package org.jsio.testing.web;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.servlets.DefaultServlet;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.IntrospectionUtils;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.apache.tomcat.websocket.server.WsSci;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.jsio.testing.Folders;

/**
 * A web application as it is deployed for real, on embedded Jetty 12 (ee10) or Tomcat 10.1/11: the
 * container's own default servlet on {@code /} over an empty document root (so an unmapped path is
 * the container's 404), Jakarta WebSocket support on unless turned off, and servlets and filters
 * registered like {@code web.xml} does, either as instances or as a class with init-params.
 */
final class WebContainer implements AutoCloseable {
    private final String kind;
    private final List<ServletMount> servlets = new ArrayList<>();
    private final List<FilterMount> filters = new ArrayList<>();
    private boolean webSocket = true;
    private Path baseDir;
    private Server jetty;
    private ServerConnector jettyConnector;
    private Tomcat tomcat;
    private Connector tomcatConnector;

    WebContainer(String kind) {
        this.kind = kind;
    }

    String kind() {
        return kind;
    }

    /** An async-supported servlet on a path spec such as {@code /app/*}. */
    WebContainer servlet(String pathSpec, HttpServlet servlet) {
        servlets.add(new ServletMount(pathSpec, servlet));
        return this;
    }

    /** A filter instance on {@code /*} for REQUEST dispatches. */
    WebContainer filter(Filter filter, boolean asyncSupported) {
        filters.add(new FilterMount(filter, null, Map.of(), asyncSupported));
        return this;
    }

    /** A filter instance on {@code /*} for REQUEST dispatches, with init-params. */
    WebContainer filter(Filter filter, boolean asyncSupported, Map<String, String> initParams) {
        filters.add(new FilterMount(filter, null, new LinkedHashMap<>(initParams), asyncSupported));
        return this;
    }

    /** A filter the container instantiates from its class, with init-params, as from web.xml; async-supported. */
    WebContainer filter(Class<? extends Filter> type, Map<String, String> initParams) {
        filters.add(new FilterMount(null, type, new LinkedHashMap<>(initParams), true));
        return this;
    }

    /** Leaves the container's Jakarta WebSocket support out. */
    WebContainer withoutWebSocket() {
        webSocket = false;
        return this;
    }

    WebContainer start() throws Exception {
        baseDir = Files.createTempDirectory("jsio-web-");
        Path docRoot = Files.createDirectories(baseDir.resolve("docroot"));
        try {
            if ("jetty".equals(kind)) {
                startJetty(docRoot);
            } else {
                startTomcat(docRoot);
            }
        } catch (Exception e) {
            close();
            throw e;
        }
        return this;
    }

    private void startJetty(Path docRoot) throws Exception {
        Server s = new Server();
        ServerConnector c = new ServerConnector(s);
        c.setHost("127.0.0.1");
        c.setPort(0);
        s.addConnector(c);
        ServletContextHandler context = new ServletContextHandler(ServletContextHandler.NO_SESSIONS);
        context.setContextPath("/");
        context.setBaseResourceAsPath(docRoot);
        if (webSocket) {
            JakartaWebSocketServletContainerInitializer.configure(context, null);
        }
        int n = 0;
        for (FilterMount f : filters) {
            FilterHolder holder = f.instance != null ? new FilterHolder(f.instance) : new FilterHolder(f.type);
            holder.setName("filter-" + n++);
            holder.setAsyncSupported(f.asyncSupported);
            f.initParams.forEach(holder::setInitParameter);
            context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST));
        }
        int sn = 0;
        for (ServletMount m : servlets) {
            ServletHolder holder = new ServletHolder(m.servlet);
            holder.setName("servlet-" + sn++);
            holder.setAsyncSupported(true);
            context.addServlet(holder, m.pathSpec);
        }
        context.addServlet(new ServletHolder("default", org.eclipse.jetty.ee10.servlet.DefaultServlet.class), "/");
        s.setHandler(context);
        jetty = s;
        jettyConnector = c;
        s.start();
    }

    private void startTomcat(Path docRoot) throws Exception {
        Tomcat t = new Tomcat();
        t.setBaseDir(baseDir.toString());
        Connector c = new Connector("HTTP/1.1");
        c.setPort(0);
        c.setProperty("address", "127.0.0.1");
        t.setConnector(c);
        t.getHost().setAutoDeploy(false);
        Context context = t.addContext("", docRoot.toString());
        if (context instanceof StandardContext) {
            StandardContext standard = (StandardContext) context;
            // a property of Tomcat 10.1 that Tomcat 11 no longer has
            IntrospectionUtils.setProperty(standard, "clearReferencesObjectStreamClassCaches", "false");
            standard.setClearReferencesRmiTargets(false);
            standard.setClearReferencesThreadLocals(false);
        }
        if (webSocket) {
            context.addServletContainerInitializer(new WsSci(), null);
        }
        int n = 0;
        for (FilterMount f : filters) {
            FilterDef def = new FilterDef();
            def.setFilterName("filter-" + n++);
            if (f.instance != null) {
                def.setFilter(f.instance);
                def.setFilterClass(f.instance.getClass().getName());
            } else {
                def.setFilterClass(f.type.getName());
            }
            def.setAsyncSupported(Boolean.toString(f.asyncSupported));
            f.initParams.forEach(def::addInitParameter);
            context.addFilterDef(def);
            FilterMap map = new FilterMap();
            map.setFilterName(def.getFilterName());
            map.addURLPattern("/*");
            context.addFilterMap(map);
        }
        int s = 0;
        for (ServletMount m : servlets) {
            String name = "servlet-" + s++;
            Wrapper wrapper = Tomcat.addServlet(context, name, m.servlet);
            wrapper.setAsyncSupported(true);
            wrapper.addMapping(m.pathSpec);
        }
        Tomcat.addServlet(context, "default", new DefaultServlet()).addMapping("/");
        tomcat = t;
        tomcatConnector = c;
        t.start();
        if (c.getLocalPort() <= 0) {
            throw new IOException("Tomcat could not listen on 127.0.0.1");
        }
    }

    int port() {
        return jettyConnector != null ? jettyConnector.getLocalPort() : tomcatConnector.getLocalPort();
    }

    /** {@code http://127.0.0.1:<port>}, no trailing slash. */
    String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    @Override
    public void close() {
        try {
            if (jetty != null) {
                jetty.stop();
                jetty.join();
                jetty.destroy();
                jetty = null;
            }
            if (tomcat != null) {
                tomcat.stop();
                tomcat.destroy();
                tomcat = null;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            throw new IllegalStateException(kind + " did not stop cleanly", e);
        } finally {
            Folders.deleteTree(baseDir);
            baseDir = null;
        }
    }

    @Override
    public String toString() {
        return kind;
    }

    private record ServletMount(String pathSpec, HttpServlet servlet) {
    }

    private record FilterMount(Filter instance, Class<? extends Filter> type, Map<String, String> initParams,
            boolean asyncSupported) {
    }
}
