package org.jsio.example;

/** The example chat on {@link JettyMain} in headless Chromium (see {@link ChatBrowserTests}). */
class JettyChatBrowserTest extends ChatBrowserTests {
    JettyChatBrowserTest() {
        super("jetty");
    }

    @Override
    protected RunningChat startChat() throws Exception {
        return JettyMain.start("127.0.0.1", 0);
    }
}
