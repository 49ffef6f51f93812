package org.jsio.example;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The example WAR deployed to a stand-alone Tomcat 10.1 or 11 (the
 * {@code org.apache.tomcat:tomcat} distribution from Maven Central, unpacked by the build): a fresh {@code CATALINA_BASE} with the
 * distribution's {@code conf/}, its HTTP connector moved to 127.0.0.1 and a free port and its
 * shutdown port off, the WAR dropped into {@code webapps/ROOT.war}, and {@code Bootstrap start} as
 * {@code catalina.sh run} would start it. Then the chat in headless Chromium (see
 * {@link ChatBrowserTests}), and SIGTERM.
 */
class TomcatDistributionChatBrowserTest extends ChatBrowserTests {
    TomcatDistributionChatBrowserTest() {
        super("tomcat-distribution");
    }

    @Override
    protected RunningChat startChat() throws Exception {
        Path home = StandaloneContainer.unpacked("catalina.home");
        Path target = Path.of("target").toAbsolutePath();
        Path base = Files.createTempDirectory(target, "catalina-base-");
        for (String dir : new String[] {"conf", "logs", "temp", "webapps", "work"}) {
            Files.createDirectories(base.resolve(dir));
        }
        try (Stream<Path> conf = Files.list(home.resolve("conf"))) {
            for (Path file : (Iterable<Path>) conf::iterator) {
                if (Files.isRegularFile(file)) {
                    Files.copy(file, base.resolve("conf").resolve(file.getFileName()));
                }
            }
        }
        Path serverXml = base.resolve("conf").resolve("server.xml");
        String xml = Files.readString(serverXml);
        Files.copy(RunningChat.defaultWar(), base.resolve("webapps").resolve("ROOT.war"));
        return StandaloneContainer.startOnFreePort("tomcat-distribution", port -> {
            String edited = xml.replace("<Server port=\"8005\"", "<Server port=\"-1\"")
                    .replace("<Connector port=\"8080\"", "<Connector address=\"127.0.0.1\" port=\"" + port + "\"");
            assertTrue(edited.contains("port=\"-1\"") && edited.contains("port=\"" + port + "\""),
                    "unexpected server.xml in " + home);
            Files.writeString(serverXml, edited);
            return List.of(StandaloneContainer.java(),
                    // what catalina.sh passes on Java 17
                    "--add-opens=java.base/java.lang=ALL-UNNAMED",
                    "--add-opens=java.base/java.io=ALL-UNNAMED",
                    "--add-opens=java.base/java.util=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
                    "--add-opens=java.rmi/sun.rmi.transport=ALL-UNNAMED",
                    "-Djava.util.logging.manager=org.apache.juli.ClassLoaderLogManager",
                    "-Djava.util.logging.config.file=" + base.resolve("conf").resolve("logging.properties"),
                    "-Dcatalina.home=" + home,
                    "-Dcatalina.base=" + base,
                    "-Djava.io.tmpdir=" + base.resolve("temp"),
                    "-cp", home.resolve("bin").resolve("bootstrap.jar") + ":" + home.resolve("bin").resolve("tomcat-juli.jar"),
                    "org.apache.catalina.startup.Bootstrap", "start");
        }, target.resolve("tomcat-distribution.log"), base);
    }
}
