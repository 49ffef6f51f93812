package org.jsio.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jsio.servlet.SocketIoInitializer;
import org.jsio.testing.Folders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The ways a web application registers its Socket.IO servlet, each deployed as an exploded WAR
 * by the container's own deployer (as a stand-alone container would): the
 * {@code @SocketIoMapping} annotation and the {@code org.jsio.servlet.factory} context-param (both
 * picked up by {@link SocketIoInitializer}, which the container finds in the servlet jar), and a
 * {@code ServletContextListener} registering it in code. ({@code web.xml} with the {@code factory}
 * init-param is the example WAR's own.) Each is checked with a Socket.IO connection over HTTP
 * long-polling that sends an event and reads its acknowledgement. Each container's module has a
 * subclass that says how to deploy.
 */
public abstract class RegistrationTests {
    private static final Pattern SID = Pattern.compile("\"sid\":\"([^\"]+)\"");
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(15)).build();
    private Path webapp;

    /** Deploys the exploded web application at the root context on 127.0.0.1 and a free port. */
    protected abstract RunningChat deploy(Path webapp) throws Exception;

    @BeforeEach
    void createWebapp() throws IOException {
        webapp = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "registration-");
        Files.createDirectories(webapp.resolve("WEB-INF/classes"));
    }

    @AfterEach
    void deleteWebapp() {
        Folders.deleteTree(webapp);
    }

    @Test
    public void anAnnotatedFactoryInTheWarIsRegisteredByTheInitializer() throws Exception {
        webXml(false, "");
        // the container scans WEB-INF/classes for @SocketIoMapping
        String resource = EchoServers.Annotated.class.getName().replace('.', '/') + ".class";
        Path copy = webapp.resolve("WEB-INF/classes").resolve(resource);
        Files.createDirectories(copy.getParent());
        try (InputStream in = EchoServers.class.getClassLoader().getResourceAsStream(resource)) {
            Files.copy(in, copy);
        }
        assertEchoes();
    }

    @Test
    public void aFactoryNamedByAContextParamIsRegisteredByTheInitializer() throws Exception {
        webXml(true, "<context-param><param-name>" + SocketIoInitializer.FACTORY_CONTEXT_PARAM + "</param-name>"
                + "<param-value>" + EchoServers.Named.class.getName() + "</param-value></context-param>");
        assertEchoes();
    }

    @Test
    public void aListenerRegistersTheServletInCode() throws Exception {
        webXml(true, "<listener><listener-class>" + EchoServers.Listener.class.getName() + "</listener-class></listener>");
        assertEchoes();
    }

    @Test
    public void aFactoryWhoseUrlPatternIsTakenFailsTheStart() throws Exception {
        webXml(true, "<context-param><param-name>" + SocketIoInitializer.FACTORY_CONTEXT_PARAM + "</param-name>"
                + "<param-value>" + EchoServers.Named.class.getName() + "</param-value></context-param>"
                + "<servlet><servlet-name>other</servlet-name><servlet-class>" + EchoServers.Other.class.getName()
                + "</servlet-class></servlet>"
                + "<servlet-mapping><servlet-name>other</servlet-name><url-pattern>/socket.io/*</url-pattern></servlet-mapping>");
        assertThrows(Exception.class, () -> deploy(webapp).close());
    }

    @Test
    public void withoutAFactoryTheInitializerRegistersNothing() throws Exception {
        webXml(false, "");
        try (RunningChat app = deploy(webapp)) {
            assertEquals(404, get(app.baseUrl() + "/socket.io/?EIO=4&transport=polling").statusCode());
        }
    }

    private void webXml(boolean metadataComplete, String body) throws IOException {
        Files.writeString(webapp.resolve("WEB-INF/web.xml"), "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<web-app xmlns=\"https://jakarta.ee/xml/ns/jakartaee\" version=\"6.0\" metadata-complete=\""
                + metadataComplete + "\">" + body + "</web-app>\n");
    }

    private void assertEchoes() throws Exception {
        try (RunningChat app = deploy(webapp)) {
            String endpoint = app.baseUrl() + "/socket.io/?EIO=4&transport=polling";
            HttpResponse<String> open = get(endpoint);
            assertEquals(200, open.statusCode(), open::body);
            Matcher sid = SID.matcher(open.body());
            assertTrue(open.body().startsWith("0") && sid.find(), open.body());
            String session = endpoint + "&sid=" + sid.group(1);
            assertEquals("ok", post(session, "40").body());
            assertTrue(get(session).body().startsWith("40{\"sid\":"));
            assertEquals("ok", post(session, "421[\"echo\",\"registered\"]").body());
            assertEquals("431[\"registered\"]", get(session).body());
        }
    }

    private HttpResponse<String> get(String uri) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String uri, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "text/plain;charset=UTF-8")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
