package org.jsio.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jsio.testing.node.BrowserScript;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The example chat as a launcher or a stand-alone container runs it: its health servlet, its page
 * and browser client served from the WAR, and the chat in two pages of headless Chromium (see
 * {@code src-test-fixtures/node/chat-e2e.js}), over WebSocket and over long-polling only. The
 * pages' screenshots are kept in {@code target/screenshots/<container>-<transport>-<nickname>.png}.
 * Each container's module has a subclass that says how to start the chat.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ChatBrowserTests {
    private static final Path SCREENSHOTS = Path.of(System.getProperty("basedir", ""), "target", "screenshots")
            .toAbsolutePath();
    private final String container;
    private RunningChat chat;

    /** @param container the prefix of the screenshots' names */
    protected ChatBrowserTests(String container) {
        this.container = container;
    }

    /** Starts the chat on {@code 127.0.0.1} and a free port. */
    protected abstract RunningChat startChat() throws Exception;

    @BeforeAll
    void start() throws Exception {
        chat = startChat();
    }

    @AfterAll
    void stop() {
        if (chat != null) {
            chat.close();
        }
    }

    @Test
    public void healthServletAnswersBesideSocketIo() throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(chat.baseUrl() + "/api/health").toURL().openConnection();
        c.setConnectTimeout(15_000);
        c.setReadTimeout(15_000);
        try (InputStream in = c.getInputStream()) {
            assertEquals(200, c.getResponseCode());
            assertEquals("{\"status\":\"up\"}", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } finally {
            c.disconnect();
        }
    }

    @Test
    public void pageAndBrowserClientAreServedFromTheWebapp() throws IOException {
        HttpURLConnection page = get("/");
        try (InputStream in = page.getInputStream()) {
            assertEquals(200, page.getResponseCode());
            assertTrue(page.getContentType().startsWith("text/html"), page.getContentType());
            String html = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(html.contains("<script src=\"socket.io.min.js\"></script>"), html);
        } finally {
            page.disconnect();
        }
        HttpURLConnection client = get("/socket.io.min.js");
        try (InputStream in = client.getInputStream()) {
            assertEquals(200, client.getResponseCode());
            assertTrue(client.getContentType().contains("javascript"), client.getContentType());
            assertTrue(new String(in.readAllBytes(), StandardCharsets.UTF_8).contains("Socket.IO v4"));
        } finally {
            client.disconnect();
        }
    }

    private HttpURLConnection get(String path) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(chat.baseUrl() + path).toURL().openConnection();
        c.setConnectTimeout(15_000);
        c.setReadTimeout(15_000);
        return c;
    }

    @ParameterizedTest
    @ValueSource(strings = {"websocket", "polling"})
    public void twoBrowserPagesChat(String transport) throws IOException {
        BrowserScript.Result run = BrowserScript.run("chat-e2e.js",
                chat.baseUrl(), transport, SCREENSHOTS.toString(), container + "-" + transport);
        System.out.println(run.stdout().strip()); // the script's result line, in target/surefire-reports
        assertTrue(run.succeeded(), run::describe);
        JsonObject result = run.json();
        assertNotNull(result, run::describe);
        assertTrue(result.get("ok").getAsBoolean(), run::describe);
        assertEquals(2, result.getAsJsonArray("pages").size(), run::describe);
        for (JsonElement element : result.getAsJsonArray("pages")) {
            JsonObject page = element.getAsJsonObject();
            assertEquals(transport, page.get("transport").getAsString(), run::describe);
            Path screenshot = Path.of(page.get("screenshot").getAsString());
            assertEquals(SCREENSHOTS.resolve(container + "-" + transport + "-" + page.get("name").getAsString() + ".png"),
                    screenshot);
            assertTrue(Files.size(screenshot) > 0, screenshot + " is empty");
        }
    }
}
