package org.jsio.example;

import java.nio.file.Path;

/** {@link RegistrationTests} on embedded Tomcat, deploying as {@link TomcatMain} does. */
class TomcatRegistrationTest extends RegistrationTests {
    @Override
    protected RunningChat deploy(Path webapp) throws Exception {
        return TomcatMain.start(webapp, "127.0.0.1", 0);
    }
}
