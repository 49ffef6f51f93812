package org.jsio.example;

/** The example chat on {@link TomcatMain} in headless Chromium (see {@link ChatBrowserTests}). */
class TomcatChatBrowserTest extends ChatBrowserTests {
    TomcatChatBrowserTest() {
        super("tomcat");
    }

    @Override
    protected RunningChat startChat() throws Exception {
        return TomcatMain.start("127.0.0.1", 0);
    }
}
