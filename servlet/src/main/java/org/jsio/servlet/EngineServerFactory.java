package org.jsio.servlet;

import jakarta.servlet.ServletConfig;
import org.jsio.engine.EngineServer;

/**
 * Builds the engine a {@link SocketIoServlet} declared in {@code web.xml} serves. Name the
 * implementing class in the servlet's {@code factory} init-param; it needs a public no-argument
 * constructor.
 *
 * <pre>{@code
 * <servlet>
 *   <servlet-name>socketio</servlet-name>
 *   <servlet-class>org.jsio.servlet.SocketIoServlet</servlet-class>
 *   <init-param>
 *     <param-name>factory</param-name>
 *     <param-value>com.example.ChatEngineFactory</param-value>
 *   </init-param>
 *   <async-supported>true</async-supported>
 * </servlet>
 * }</pre>
 *
 * <p>The servlet owns the engine it got this way and closes it when the servlet is destroyed.
 */
@FunctionalInterface
public interface EngineServerFactory {

    /**
     * Creates the engine for one servlet.
     *
     * @param config the servlet's configuration (init-params, servlet context)
     * @throws Exception when the engine cannot be built; the servlet then fails to initialise
     */
    EngineServer create(ServletConfig config) throws Exception;
}
