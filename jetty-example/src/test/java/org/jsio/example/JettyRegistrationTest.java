package org.jsio.example;

import java.nio.file.Path;

/** {@link RegistrationTests} on embedded Jetty 12, deploying as {@link JettyMain} does. */
class JettyRegistrationTest extends RegistrationTests {
    @Override
    protected RunningChat deploy(Path webapp) throws Exception {
        return JettyMain.start(webapp, "127.0.0.1", 0);
    }
}
