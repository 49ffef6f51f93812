package org.jsio.example;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The example WAR deployed to a stand-alone Jetty 12 (the {@code jetty-home} distribution from
 * Maven Central, unpacked by the build): a fresh {@code jetty.base} with the {@code http},
 * {@code ee10-deploy}, {@code ee10-annotations} and {@code ee10-websocket-jakarta} modules, the
 * WAR dropped into {@code webapps/ROOT.war}, {@code java -jar start.jar} on 127.0.0.1 and a free
 * port. Then the chat in headless Chromium (see {@link ChatBrowserTests}), and SIGTERM.
 */
class JettyHomeChatBrowserTest extends ChatBrowserTests {
    JettyHomeChatBrowserTest() {
        super("jetty-home");
    }

    @Override
    protected RunningChat startChat() throws Exception {
        Path home = StandaloneContainer.unpacked("jetty.home");
        Path target = Path.of("target").toAbsolutePath();
        Path base = Files.createTempDirectory(target, "jetty-base-");
        String startJar = home.resolve("start.jar").toString();
        StandaloneContainer.run(List.of(StandaloneContainer.java(), "-jar", startJar,
                "jetty.home=" + home, "jetty.base=" + base,
                "--add-modules=http,ee10-deploy,ee10-annotations,ee10-websocket-jakarta"),
                target.resolve("jetty-home-modules.log"));
        Files.createDirectories(base.resolve("webapps"));
        Files.copy(RunningChat.defaultWar(), base.resolve("webapps").resolve("ROOT.war"),
                StandardCopyOption.REPLACE_EXISTING);
        return StandaloneContainer.startOnFreePort("jetty-home", port -> List.of(StandaloneContainer.java(), "-jar",
                        startJar, "jetty.home=" + home, "jetty.base=" + base,
                        "jetty.http.host=127.0.0.1", "jetty.http.port=" + port),
                target.resolve("jetty-home.log"), base);
    }
}
