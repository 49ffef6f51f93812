package org.jsio.servlet;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Enumeration;
import java.util.Objects;
import org.jsio.engine.EngineServer;
import org.jsio.socketio.SocketIoServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts Socket.IO in front of an existing web application, as python-socketio's
 * {@code WSGIApp(sio, other_app, static_files=...)}: mapped to {@code /*}, it answers
 * <ol>
 *   <li>requests under the Socket.IO path (default {@value #DEFAULT_PATH}): long-polling and
 *       WebSocket upgrades, exactly as {@link SocketIoServlet} does;</li>
 *   <li>then {@code GET}/{@code HEAD} requests for the {@link StaticFiles} it was given, if any;</li>
 *   <li>and passes everything else down the filter chain untouched, to the web application's own
 *       servlets (or the container's default, which answers 404).</li>
 * </ol>
 * Paths are matched within the context, percent-decoded, with path parameters ({@code ;jsessionid=})
 * removed. Only requests as they arrive are handled (dispatcher type {@code REQUEST}); forwards,
 * includes, error and async dispatches go down the chain.
 *
 * <p><b>The filter must be registered as async-supported</b>, and so must every filter in front of
 * it: a long-polling GET is held with {@code startAsync()}. A Socket.IO request that arrives
 * without async support is answered {@code 500} with a JSON body naming the setting, and the first
 * one is logged as an ERROR. WebSocket upgrades are done as {@link SocketIoServlet} does them
 * (Jetty's WebSocket core on Jetty 12, the Servlet API's upgrade elsewhere, else the Jakarta
 * WebSocket API); when none is available the filter logs a warning when it starts, naming what to
 * enable, upgrade requests are answered {@code 400} and clients stay on long-polling.
 *
 * <p>In code (the caller keeps and closes the server):
 * <pre>{@code
 * FilterRegistration.Dynamic f = servletContext.addFilter("socketio",
 *         new SocketIoFilter(sio, StaticFiles.builder().map("/", "classpath:static/").build()));
 * f.setAsyncSupported(true);
 * f.addMappingForUrlPatterns(null, false, "/*");
 * }</pre>
 *
 * <p>From {@code web.xml}, with the init-params {@value #FACTORY_PARAM} (a
 * {@link SocketIoServerFactory} or {@link EngineServerFactory}, which receives the filter's
 * configuration as a {@link ServletConfig} whose servlet name is the filter name),
 * {@value #PATH_PARAM} (optional) and {@value #STATIC_PARAM} (optional, the syntax of
 * {@link StaticFiles#parse}); the server is closed by {@link #destroy()}:
 * <pre>{@code
 * <filter>
 *   <filter-name>socketio</filter-name>
 *   <filter-class>org.jsio.servlet.SocketIoFilter</filter-class>
 *   <init-param><param-name>factory</param-name><param-value>com.example.ChatServerFactory</param-value></init-param>
 *   <init-param><param-name>static</param-name><param-value>/=classpath:static/</param-value></init-param>
 *   <async-supported>true</async-supported>
 * </filter>
 * <filter-mapping>
 *   <filter-name>socketio</filter-name>
 *   <url-pattern>/*</url-pattern>
 * </filter-mapping>
 * }</pre>
 * A filter built in code takes its server, path and static files from its constructor and
 * ignores those init-params; like any filter, it still reads
 * {@value SocketIoServlet#JETTY_CORE_PARAM} and {@value SocketIoServlet#SERVLET_UPGRADE_PARAM} (or
 * the context-params {@value SocketIoServlet#JETTY_CORE_CONTEXT_PARAM} and
 * {@value SocketIoServlet#SERVLET_UPGRADE_CONTEXT_PARAM}) when it starts.
 */
public class SocketIoFilter implements Filter {
    private static final Logger LOG = LoggerFactory.getLogger(SocketIoFilter.class);

    /** The init-param naming the {@link SocketIoServerFactory} or {@link EngineServerFactory} class. */
    public static final String FACTORY_PARAM = EngineBinding.FACTORY_PARAM;
    /** The init-param with the Socket.IO path, such as {@code /socket.io/} (the default). */
    public static final String PATH_PARAM = "path";
    /** The init-param with static file rules, in the syntax of {@link StaticFiles#parse}. */
    public static final String STATIC_PARAM = "static";
    /** The Socket.IO path of the official clients. */
    public static final String DEFAULT_PATH = "/socket.io/";

    private volatile EngineBinding binding;
    private volatile String path;
    private volatile StaticFiles staticFiles;
    private final boolean inCode;
    private volatile String name = "filter";

    /** A filter for a Socket.IO server, which the caller owns and closes. */
    public SocketIoFilter(SocketIoServer server) {
        this(server, null);
    }

    /** A filter for a Socket.IO server (owned by the caller) and static files ({@code null}: none). */
    public SocketIoFilter(SocketIoServer server, StaticFiles staticFiles) {
        this(Objects.requireNonNull(server, "server").engine(), staticFiles);
    }

    /** A filter for a raw Engine.IO server, which the caller owns and closes. */
    public SocketIoFilter(EngineServer engine) {
        this(engine, null);
    }

    /** A filter for a raw Engine.IO server (owned by the caller) and static files ({@code null}: none). */
    public SocketIoFilter(EngineServer engine, StaticFiles staticFiles) {
        this(EngineBinding.given(engine), DEFAULT_PATH, staticFiles);
    }

    private SocketIoFilter(EngineBinding binding, String path, StaticFiles staticFiles) {
        this.binding = binding;
        this.path = path;
        this.staticFiles = staticFiles;
        this.inCode = true;
    }

    /**
     * A filter for {@code web.xml}: {@link #init} builds its server with the factory named by the
     * {@value #FACTORY_PARAM} init-param.
     */
    public SocketIoFilter() {
        this.path = DEFAULT_PATH;
        this.inCode = false;
    }

    /**
     * The same filter serving Socket.IO under another path, for clients created with
     * {@code io({path: "/realtime/"})}. Only for filters built in code, before registering them.
     *
     * @param socketIoPath such as {@code /realtime/}; surrounding slashes are optional
     */
    public SocketIoFilter withPath(String socketIoPath) {
        if (!inCode) {
            throw new IllegalStateException("a filter declared in web.xml takes its path from the '"
                    + PATH_PARAM + "' init-param");
        }
        return new SocketIoFilter(binding, normalizePath(socketIoPath), staticFiles);
    }

    /** The engine this filter serves ({@code null} before {@link #init} for web.xml filters). */
    public EngineServer engine() {
        EngineBinding b = binding;
        return b == null ? null : b.engine();
    }

    /** The Socket.IO path, with leading and trailing slash. */
    public String path() {
        return path;
    }

    /** The static files served, or {@code null}. */
    public StaticFiles staticFiles() {
        return staticFiles;
    }

    @Override
    public void init(FilterConfig config) throws ServletException {
        name = "filter " + config.getFilterName();
        EngineBinding b = binding;
        if (!inCode) {
            String p = config.getInitParameter(PATH_PARAM);
            String s = config.getInitParameter(STATIC_PARAM);
            try {
                path = p == null || p.isBlank() ? DEFAULT_PATH : normalizePath(p);
                staticFiles = s == null || s.isBlank() ? null : StaticFiles.parse(s);
            } catch (IllegalArgumentException e) {
                throw new ServletException("filter " + config.getFilterName() + ": " + e.getMessage(), e);
            }
            if (b == null) {
                b = EngineBinding.fromFactory(new FilterServletConfig(config));
                binding = b;
            }
        }
        if (b == null) {
            throw new ServletException("filter " + config.getFilterName() + " was destroyed");
        }
        b.chooseWebSocketUpgrade(config.getServletContext(), config.getInitParameter(SocketIoServlet.JETTY_CORE_PARAM),
                config.getInitParameter(SocketIoServlet.SERVLET_UPGRADE_PARAM), "filter " + config.getFilterName());
        LOG.debug("filter {}: Socket.IO at {}, static files {}", config.getFilterName(), path, staticFiles);
    }

    /** Socket.IO requests to the engine, then static files, then the rest down the chain. */
    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        EngineBinding b = binding;
        if (b != null && request.getDispatcherType() == DispatcherType.REQUEST
                && request instanceof HttpServletRequest && response instanceof HttpServletResponse) {
            HttpServletRequest req = (HttpServletRequest) request;
            HttpServletResponse res = (HttpServletResponse) response;
            String p = requestPath(req);
            if (p != null) {
                String sio = path;
                if (p.startsWith(sio) || p.equals(sio.substring(0, sio.length() - 1))) {
                    b.handle(req, res, name);
                    return;
                }
                StaticFiles files = staticFiles;
                if (files != null && files.serve(req, res, p)) {
                    return;
                }
            }
        }
        chain.doFilter(request, response);
    }

    /**
     * Closes the server if this filter created it through the factory (a given server stays
     * open), then ends the threads that were closing its WebSockets, once they are done.
     */
    @Override
    public void destroy() {
        EngineBinding b = binding;
        if (b != null && b.owned()) {
            binding = null;
            b.close();
        }
        EngineBinding.stopThreads(name);
    }

    /** {@code socket.io}, {@code /socket.io} or {@code /socket.io/} as {@code /socket.io/}. */
    static String normalizePath(String socketIoPath) {
        String p = Objects.requireNonNull(socketIoPath, "path").trim();
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        if (p.isEmpty()) {
            throw new IllegalArgumentException("the Socket.IO path cannot be the root: it would take every request");
        }
        return "/" + p + "/";
    }

    /**
     * The request path within the context: percent-decoded (UTF-8), path parameters removed,
     * {@code .} and {@code ..} segments left as they are; {@code null} if it cannot be decoded.
     */
    static String requestPath(HttpServletRequest request) {
        String uri = request.getRequestURI();
        String context = request.getContextPath();
        if (uri == null) {
            return null;
        }
        if (context != null && !context.isEmpty()) {
            if (!uri.startsWith(context)) {
                // the container spelt the context differently: use its own decoded path
                String info = request.getPathInfo();
                return request.getServletPath() + (info == null ? "" : info);
            }
            uri = uri.substring(context.length());
        }
        if (uri.isEmpty()) {
            return "/";
        }
        return decode(withoutPathParameters(uri));
    }

    private static String withoutPathParameters(String uri) {
        if (uri.indexOf(';') < 0) {
            return uri;
        }
        StringBuilder out = new StringBuilder(uri.length());
        boolean skipping = false;
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '/') {
                skipping = false;
            } else if (c == ';') {
                skipping = true;
            }
            if (!skipping) {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static String decode(String raw) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        int i = 0;
        while (i < raw.length()) {
            int percent = raw.indexOf('%', i);
            int end = percent < 0 ? raw.length() : percent;
            bytes.writeBytes(raw.substring(i, end).getBytes(StandardCharsets.UTF_8));
            if (percent < 0) {
                break;
            }
            int hi = percent + 2 < raw.length() ? Character.digit(raw.charAt(percent + 1), 16) : -1;
            int lo = percent + 2 < raw.length() ? Character.digit(raw.charAt(percent + 2), 16) : -1;
            if (hi < 0 || lo < 0) {
                return null;
            }
            bytes.write(hi << 4 | lo);
            i = percent + 3;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** A filter's configuration as the {@link ServletConfig} the server factories take. */
    private static final class FilterServletConfig implements ServletConfig {
        private final FilterConfig config;

        FilterServletConfig(FilterConfig config) {
            this.config = config;
        }

        @Override
        public String getServletName() {
            return config.getFilterName();
        }

        @Override
        public ServletContext getServletContext() {
            return config.getServletContext();
        }

        @Override
        public String getInitParameter(String name) {
            return config.getInitParameter(name);
        }

        @Override
        public Enumeration<String> getInitParameterNames() {
            return config.getInitParameterNames();
        }
    }
}
