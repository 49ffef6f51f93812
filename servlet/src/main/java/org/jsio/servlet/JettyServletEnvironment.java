package org.jsio.servlet;

import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ContextHandler;

/**
 * What {@link JettyCoreUpgrade} needs from one of Jetty 12's servlet environments (ee10, ee11),
 * whose classes have the same names in different packages: a servlet context's Jetty context, and
 * a servlet request and response seen as Jetty core ones. Loaded by name by {@link JettyWebSockets}
 * once that environment's classes were found.
 */
interface JettyServletEnvironment {

    /** The environment's name, for the log: {@code ee10} or {@code ee11}. */
    String name();

    /** The Jetty context behind {@code context}, or {@code null} if it is not one of this environment. */
    ContextHandler contextHandler(ServletContext context);

    /** {@code request} as a Jetty core request. */
    Request wrap(HttpServletRequest request);

    /** {@code response} as the Jetty core response to {@code request} (from {@link #wrap(HttpServletRequest)}). */
    Response wrap(Request request, HttpServletResponse response);

    /** Jetty 12's ee10 environment (Jakarta EE 10, Servlet 6.0). */
    final class Ee10 implements JettyServletEnvironment {
        @Override
        public String name() {
            return "ee10";
        }

        @Override
        public ContextHandler contextHandler(ServletContext context) {
            return org.eclipse.jetty.ee10.servlet.ServletContextHandler.getServletContextHandler(context);
        }

        @Override
        public Request wrap(HttpServletRequest request) {
            return org.eclipse.jetty.ee10.servlet.ServletCoreRequest.wrap(request);
        }

        @Override
        public Response wrap(Request request, HttpServletResponse response) {
            return org.eclipse.jetty.ee10.servlet.ServletCoreResponse.wrap(request, response, false);
        }
    }

    /** Jetty 12's ee11 environment (Jakarta EE 11, Servlet 6.1), Spring Boot 4's. */
    final class Ee11 implements JettyServletEnvironment {
        @Override
        public String name() {
            return "ee11";
        }

        @Override
        public ContextHandler contextHandler(ServletContext context) {
            return org.eclipse.jetty.ee11.servlet.ServletContextHandler.getServletContextHandler(context);
        }

        @Override
        public Request wrap(HttpServletRequest request) {
            return org.eclipse.jetty.ee11.servlet.ServletCoreRequest.wrap(request);
        }

        @Override
        public Response wrap(Request request, HttpServletResponse response) {
            return org.eclipse.jetty.ee11.servlet.ServletCoreResponse.wrap(request, response, false);
        }
    }
}
