package org.jsio.example;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.catalina.Container;
import org.apache.catalina.Context;
import org.apache.catalina.Lifecycle;
import org.apache.catalina.LifecycleEvent;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.ContextConfig;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.scan.StandardJarScanner;

/**
 * Runs the example chat WAR (module {@code example-webapp}, registered by its {@code web.xml}) on
 * embedded Tomcat: {@code TomcatMain [port [war]]}, on 127.0.0.1 (default port 8080, default WAR
 * {@link RunningChat#defaultWar()}).
 */
public final class TomcatMain {
    private TomcatMain() {
    }

    /** Starts the server and blocks until it is stopped (Ctrl-C or SIGTERM). */
    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        Path war = args.length > 1 ? Path.of(args[1]) : RunningChat.defaultWar();
        RunningChat chat = start(war, "127.0.0.1", port);
        Runtime.getRuntime().addShutdownHook(new Thread(chat::close, "shutdown"));
        System.out.println("chat running at " + chat.baseUrl() + "/");
        chat.join();
    }

    /** Starts the default WAR on {@code host:port} (port 0 picks a free one); see {@link #start(Path, String, int)}. */
    public static RunningChat start(String host, int port) throws Exception {
        return start(RunningChat.defaultWar(), host, port);
    }

    /**
     * Deploys {@code war} at the root context and returns once Tomcat listens on {@code host:port}
     * (port 0 picks a free one). The web application's {@code web.xml} builds and closes the chat
     * server. Tomcat's base directory is a temporary folder, deleted when the chat is closed.
     */
    public static RunningChat start(Path war, String host, int port) throws Exception {
        if (!Files.exists(war)) {
            throw new IllegalArgumentException("no WAR at " + war.toAbsolutePath()
                    + ": build it with mvn -pl example-webapp -am package");
        }
        Path baseDir = Files.createTempDirectory("tomcat-example");
        Files.createDirectories(baseDir.resolve("webapps"));

        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(baseDir.toString());
        Connector connector = new Connector();
        connector.setProperty("address", host);
        connector.setPort(port);
        tomcat.setConnector(connector);
        tomcat.getHost().setAutoDeploy(false);
        Context context = deploy(tomcat, war, "");

        AtomicBoolean closed = new AtomicBoolean();
        RunningChat chat = new RunningChat() {
            @Override
            public String baseUrl() {
                return RunningChat.baseUrl(host, connector.getLocalPort());
            }

            @Override
            public void join() {
                tomcat.getServer().await();
            }

            @Override
            public void close() {
                if (!closed.compareAndSet(false, true)) {
                    return;
                }
                try {
                    tomcat.stop();
                    tomcat.destroy();
                } catch (LifecycleException e) {
                    throw new IllegalStateException("Tomcat did not stop cleanly", e);
                } finally {
                    deleteTree(baseDir);
                }
            }
        };
        try {
            tomcat.start();
            if (connector.getLocalPort() <= 0) {
                throw new IOException("Tomcat could not listen on " + host + ":" + port);
            }
            if (context.getState() != LifecycleState.STARTED) {
                throw new IllegalStateException("the web application " + war + " did not start: see the log above");
            }
        } catch (Exception e) {
            chat.close();
            throw e;
        }
        return chat;
    }

    /**
     * Deploys {@code war} (a file or an exploded directory) on {@code tomcat}'s host at
     * {@code contextPath} ({@code ""} for the root), configured as a stand-alone Tomcat would:
     * {@code conf/web.xml}'s defaults and annotation scanning of the WAR only (not of the launcher's
     * class path), less the JSP servlet (Jasper is not on the class path). If the host is running,
     * the application starts at once.
     */
    public static Context deploy(Tomcat tomcat, Path war, String contextPath) {
        return tomcat.addWebapp(tomcat.getHost(), contextPath, war.toAbsolutePath().toString(), new WarConfig());
    }

    /** Tomcat's web.xml and annotation processing, with the two changes {@link #deploy} describes. */
    private static final class WarConfig extends ContextConfig {
        @Override
        public void lifecycleEvent(LifecycleEvent event) {
            if (Lifecycle.BEFORE_START_EVENT.equals(event.getType())) {
                Context ctx = (Context) event.getLifecycle();
                StandardJarScanner scanner = new StandardJarScanner();
                scanner.setScanClassPath(false);
                ctx.setJarScanner(scanner);
                // conf/web.xml's defaults were added by a listener that ran before this one
                Container jsp = ctx.findChild("jsp");
                if (jsp != null) {
                    ctx.removeServletMapping("*.jsp");
                    ctx.removeServletMapping("*.jspx");
                    ctx.removeChild(jsp);
                }
            }
            super.lifecycleEvent(event);
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + root, e);
        }
    }
}
