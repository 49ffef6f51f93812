package org.jsio.servlet;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Files a {@link SocketIoFilter} serves next to Socket.IO: python-socketio's {@code static_files}.
 * Each rule maps a URL path to a file, or a URL prefix to a directory, on the file system or on
 * the class path:
 *
 * <pre>{@code
 * StaticFiles files = StaticFiles.builder()
 *         .map("/", "classpath:static/")                 // a class path folder (trailing slash)
 *         .map("/docs", Path.of("/var/www/docs"))       // a directory on disk
 *         .map("/feed", "/var/data/feed.xml", "application/rss+xml")  // one file, its own type
 *         .build();
 * }</pre>
 *
 * <p>How a request is answered:
 * <ul>
 *   <li>Only {@code GET} and {@code HEAD}; other methods, and paths no rule covers, go on to the
 *       web application.</li>
 *   <li>The rule with the longest URL path that covers the request wins (a file rule covers
 *       exactly its path, a directory rule its path and everything under it); only that rule is
 *       tried.</li>
 *   <li>A path ending with {@code /} serves the directory's index file ({@code index.html} unless
 *       {@link Builder#indexFile} says otherwise); a directory asked for without its trailing
 *       slash is redirected (302) to it.</li>
 *   <li>A file that does not exist goes on to the web application, as in python-socketio.</li>
 *   <li>A path that tries to leave the directory ({@code ..} or {@code .} segments, also
 *       percent-encoded, backslashes, empty segments, NUL, control characters, {@code :}) is
 *       answered 404.</li>
 *   <li>The content type is the rule's own, else the one for the file's extension (html, js, css,
 *       json, png, jpg, svg, ico, txt, wasm, map, and a few more; text is declared UTF-8; add or
 *       change with {@link Builder#contentType}), else {@code application/octet-stream}.</li>
 * </ul>
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class StaticFiles {
    /** The URL scheme that marks a class path target. */
    public static final String CLASSPATH = "classpath:";

    private static final Map<String, String> COMMON_TYPES = Map.ofEntries(
            Map.entry("html", "text/html; charset=utf-8"),
            Map.entry("htm", "text/html; charset=utf-8"),
            Map.entry("js", "text/javascript; charset=utf-8"),
            Map.entry("mjs", "text/javascript; charset=utf-8"),
            Map.entry("css", "text/css; charset=utf-8"),
            Map.entry("json", "application/json"),
            Map.entry("map", "application/json"),
            Map.entry("txt", "text/plain; charset=utf-8"),
            Map.entry("png", "image/png"),
            Map.entry("jpg", "image/jpeg"),
            Map.entry("jpeg", "image/jpeg"),
            Map.entry("gif", "image/gif"),
            Map.entry("svg", "image/svg+xml"),
            Map.entry("ico", "image/x-icon"),
            Map.entry("wasm", "application/wasm"),
            Map.entry("woff2", "font/woff2"));
    private static final String DEFAULT_TYPE = "application/octet-stream";

    private final List<Rule> rules;
    private final String indexFile;
    private final Map<String, String> types;

    private StaticFiles(List<Rule> rules, String indexFile, Map<String, String> types) {
        List<Rule> sorted = new ArrayList<>(rules);
        // longest URL path first; of two equal paths the file rule (exact match) first
        sorted.sort(Comparator.comparingInt((Rule r) -> -r.urlPath.length()).thenComparing(r -> r.directory));
        this.rules = List.copyOf(sorted);
        this.indexFile = indexFile;
        this.types = Map.copyOf(types);
    }

    /** A builder with no rules, index file {@code index.html} and the common content types. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Rules from the one-line syntax of {@link SocketIoFilter}'s {@code static} init-param: rules
     * separated by commas or line breaks, each {@code URL-PATH=TARGET} or
     * {@code URL-PATH=TARGET;CONTENT-TYPE}, where a target is as for {@link Builder#map(String,
     * String)}. For example {@code /=classpath:static/, /docs=/var/www/docs/,
     * /feed=/var/data/feed.xml;application/rss+xml}. Class path targets use the thread's context
     * class loader.
     *
     * @throws IllegalArgumentException for a malformed rule, with the reason
     */
    public static StaticFiles parse(String spec) {
        Builder b = builder();
        for (String item : spec.split("[,\r\n]")) {
            String rule = item.trim();
            if (rule.isEmpty()) {
                continue;
            }
            int eq = rule.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("static file rule '" + rule + "' is not URL-PATH=TARGET");
            }
            String urlPath = rule.substring(0, eq).trim();
            String target = rule.substring(eq + 1);
            String type = null;
            int semi = target.indexOf(';');
            if (semi >= 0) {
                type = target.substring(semi + 1).trim();
                target = target.substring(0, semi);
                if (type.isEmpty()) {
                    throw new IllegalArgumentException("static file rule '" + rule + "' has an empty content type");
                }
            }
            b.map(urlPath, target.trim(), type);
        }
        return b.build();
    }

    /**
     * Answers a {@code GET} or {@code HEAD} for {@code path} if a rule covers it: the file, a
     * redirect to a directory's slash, or 404 for an attempt to leave a directory.
     *
     * @param path the request path within the context, percent-decoded, path parameters removed
     * @return false when the request is not for a static file and goes on to the web application
     */
    boolean serve(HttpServletRequest request, HttpServletResponse response, String path) throws IOException {
        String method = request.getMethod();
        boolean head = "HEAD".equals(method);
        if (!head && !"GET".equals(method)) {
            return false;
        }
        for (Rule rule : rules) {
            String rest = rule.rest(path);
            if (rest == null) {
                continue;
            }
            if (rule.directory && !validRest(rest)) {
                response.sendError(HttpServletResponse.SC_NOT_FOUND);
                return true;
            }
            if (rule.directory && path.equals(rule.urlPath) && !path.equals("/")) {
                redirectToDirectory(request, response); // "/docs" to "/docs/", so relative links work
                return true;
            }
            return serve(rule, rest, request, response, head);
        }
        return false;
    }

    private boolean serve(Rule rule, String rest, HttpServletRequest request, HttpServletResponse response,
            boolean head) throws IOException {
        boolean wantsIndex = rule.directory && (rest.isEmpty() || rest.endsWith("/"));
        String name = rule.directory ? rest + (wantsIndex ? indexFile : "") : null;
        Found found = rule.file != null ? findFile(rule, name) : findResource(rule, name);
        if (found == null) {
            return false;
        }
        if (found.directory) {
            if (wantsIndex) {
                return false;
            }
            redirectToDirectory(request, response);
            return true;
        }
        try (InputStream in = found.open()) {
            response.setStatus(HttpServletResponse.SC_OK);
            response.setContentType(rule.contentType != null ? rule.contentType : contentTypeOf(found.fileName));
            if (found.length >= 0) {
                response.setContentLengthLong(found.length);
            }
            if (!head) {
                in.transferTo(response.getOutputStream());
            }
        } catch (IOException e) {
            if (response.isCommitted()) {
                throw e;
            }
            return false; // gone between the look-up and the read
        }
        return true;
    }

    private static void redirectToDirectory(HttpServletRequest request, HttpServletResponse response) {
        String query = request.getQueryString();
        response.setStatus(HttpServletResponse.SC_FOUND);
        response.setHeader("Location", request.getRequestURI() + "/" + (query == null ? "" : "?" + query));
        response.setContentLength(0);
    }

    /** Whether a path under a directory stays in it: plain, non-empty segments only. */
    private static boolean validRest(String rest) {
        String[] segments = rest.split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            String s = segments[i];
            if (s.isEmpty()) {
                if (i == segments.length - 1) {
                    continue; // a trailing slash: the index file
                }
                return false;
            }
            if (s.equals(".") || s.equals("..")) {
                return false;
            }
            for (int j = 0; j < s.length(); j++) {
                char c = s.charAt(j);
                if (c < 0x20 || c == 0x7f || c == '\\' || c == ':') {
                    return false;
                }
            }
        }
        return true;
    }

    private String contentTypeOf(String fileName) {
        int dot = fileName.lastIndexOf('.');
        String type = dot < 0 ? null : types.get(fileName.substring(dot + 1).toLowerCase(Locale.ROOT));
        return type != null ? type : DEFAULT_TYPE;
    }

    /** What a look-up found: a readable file or resource, or a directory. */
    private static final class Found {
        final boolean directory;
        final String fileName;
        final long length;
        final Path path;
        final URLConnection connection;

        private Found(boolean directory, String fileName, long length, Path path, URLConnection connection) {
            this.directory = directory;
            this.fileName = fileName;
            this.length = length;
            this.path = path;
            this.connection = connection;
        }

        static final Found DIRECTORY = new Found(true, "", -1, null, null);

        InputStream open() throws IOException {
            return path != null ? Files.newInputStream(path) : connection.getInputStream();
        }
    }

    private static Found findFile(Rule rule, String name) throws IOException {
        Path target = rule.file;
        if (name != null) {
            try {
                for (String segment : name.split("/")) {
                    if (!segment.isEmpty()) {
                        target = target.resolve(segment);
                    }
                }
            } catch (InvalidPathException e) {
                return null;
            }
            target = target.normalize();
            if (!target.startsWith(rule.file)) {
                return null; // cannot happen after validRest; kept as the last line of defence
            }
        }
        if (Files.isDirectory(target)) {
            return Found.DIRECTORY;
        }
        if (!Files.isRegularFile(target) || !Files.isReadable(target)) {
            return null;
        }
        Path fileName = target.getFileName();
        return new Found(false, fileName == null ? "" : fileName.toString(), Files.size(target), target, null);
    }

    private static Found findResource(Rule rule, String name) throws IOException {
        String resource = name == null ? rule.resource : rule.resource + name;
        URL url = rule.loader.getResource(resource);
        if (url == null) {
            return null;
        }
        String fileName = resource.substring(resource.lastIndexOf('/') + 1);
        if ("file".equals(url.getProtocol())) {
            Path path;
            try {
                path = Path.of(url.toURI());
            } catch (URISyntaxException | IllegalArgumentException e) {
                return null;
            }
            if (Files.isDirectory(path)) {
                return Found.DIRECTORY;
            }
            return Files.isRegularFile(path) ? new Found(false, fileName, Files.size(path), path, null) : null;
        }
        URLConnection connection = url.openConnection();
        if (connection instanceof JarURLConnection) {
            if (((JarURLConnection) connection).getJarEntry().isDirectory()) {
                return Found.DIRECTORY;
            }
        }
        return new Found(false, fileName, connection.getContentLengthLong(), null, connection);
    }

    @Override
    public String toString() {
        return "StaticFiles" + rules;
    }

    /** One URL path mapped to a file or directory, on disk or on the class path. */
    private static final class Rule {
        final String urlPath;
        final boolean directory;
        final Path file;
        final String resource;
        final ClassLoader loader;
        final String contentType;

        Rule(String urlPath, boolean directory, Path file, String resource, ClassLoader loader, String contentType) {
            this.urlPath = urlPath;
            this.directory = directory;
            this.file = file;
            this.resource = resource;
            this.loader = loader;
            this.contentType = contentType;
        }

        /**
         * What follows this rule's URL path in {@code path} (without the separating slash), or
         * {@code null} when the rule does not cover it.
         */
        String rest(String path) {
            if (path.equals(urlPath)) {
                return "";
            }
            if (!directory) {
                return null;
            }
            if (urlPath.equals("/")) {
                return path.startsWith("/") ? path.substring(1) : null;
            }
            return path.startsWith(urlPath + "/") ? path.substring(urlPath.length() + 1) : null;
        }

        @Override
        public String toString() {
            return urlPath + "=" + (file != null ? file + (directory ? "/" : "") : CLASSPATH + resource)
                    + (contentType == null ? "" : ";" + contentType);
        }
    }

    /** Builder for {@link StaticFiles}. */
    public static final class Builder {
        private final List<PendingRule> rules = new ArrayList<>();
        private final Map<String, String> types = new HashMap<>(COMMON_TYPES);
        private String indexFile = "index.html";
        private ClassLoader classLoader;

        private Builder() {
        }

        /**
         * Maps a URL path to a target: a file system path, or {@value #CLASSPATH} followed by a
         * class path resource name. A target ending with {@code /}, or a file system path that is a
         * directory when {@link #build()} runs, is a directory serving everything under the URL
         * path; anything else is one file served at exactly that URL path. Relative file system
         * paths are taken from the working directory.
         *
         * @param urlPath starts with {@code /}; a trailing slash is ignored ({@code /docs/} is {@code /docs})
         */
        public Builder map(String urlPath, String target) {
            return map(urlPath, target, null);
        }

        /** Like {@link #map(String, String)}, with this content type for everything the rule serves. */
        public Builder map(String urlPath, String target, String contentType) {
            Objects.requireNonNull(target, "target");
            if (target.isEmpty()) {
                throw new IllegalArgumentException("empty static file target for " + urlPath);
            }
            rules.add(new PendingRule(normalizeUrlPath(urlPath), target, null, contentType));
            return this;
        }

        /** Maps a URL path to a file, or a URL prefix to a directory, on the file system. */
        public Builder map(String urlPath, Path target) {
            return map(urlPath, target, null);
        }

        /** Like {@link #map(String, Path)}, with this content type for everything the rule serves. */
        public Builder map(String urlPath, Path target, String contentType) {
            Objects.requireNonNull(target, "target");
            rules.add(new PendingRule(normalizeUrlPath(urlPath), null, target, contentType));
            return this;
        }

        /** The file served for a directory path ending with {@code /} (default {@code index.html}). */
        public Builder indexFile(String fileName) {
            Objects.requireNonNull(fileName, "fileName");
            if (fileName.isEmpty() || !validRest(fileName) || fileName.contains("/")) {
                throw new IllegalArgumentException("not a plain file name: '" + fileName + "'");
            }
            this.indexFile = fileName;
            return this;
        }

        /** The content type for files ending with {@code .extension}, replacing the built-in one. */
        public Builder contentType(String extension, String contentType) {
            types.put(Objects.requireNonNull(extension, "extension").toLowerCase(Locale.ROOT).replaceFirst("^\\.", ""),
                    Objects.requireNonNull(contentType, "contentType"));
            return this;
        }

        /**
         * The class loader for {@value #CLASSPATH} targets (default: the thread's context class
         * loader when {@link #build()} runs).
         */
        public Builder classLoader(ClassLoader loader) {
            this.classLoader = Objects.requireNonNull(loader, "loader");
            return this;
        }

        /** The immutable rules. */
        public StaticFiles build() {
            ClassLoader loader = classLoader;
            if (loader == null) {
                loader = Thread.currentThread().getContextClassLoader();
            }
            if (loader == null) {
                loader = StaticFiles.class.getClassLoader();
            }
            List<Rule> built = new ArrayList<>();
            for (PendingRule p : rules) {
                built.add(p.build(loader));
            }
            return new StaticFiles(built, indexFile, types);
        }

        private static String normalizeUrlPath(String urlPath) {
            Objects.requireNonNull(urlPath, "urlPath");
            if (!urlPath.startsWith("/")) {
                throw new IllegalArgumentException("a static file URL path starts with '/': '" + urlPath + "'");
            }
            String p = urlPath.length() > 1 && urlPath.endsWith("/") ? urlPath.substring(0, urlPath.length() - 1) : urlPath;
            if (p.length() > 1 && !validRest(p.substring(1))) {
                throw new IllegalArgumentException("not a plain URL path: '" + urlPath + "'");
            }
            return p;
        }
    }

    /** A rule as given to the builder, resolved in {@link Builder#build()}. */
    private static final class PendingRule {
        final String urlPath;
        final String target;
        final Path path;
        final String contentType;

        PendingRule(String urlPath, String target, Path path, String contentType) {
            this.urlPath = urlPath;
            this.target = target;
            this.path = path;
            this.contentType = contentType;
        }

        Rule build(ClassLoader loader) {
            if (path == null && target.startsWith(CLASSPATH)) {
                String resource = target.substring(CLASSPATH.length());
                while (resource.startsWith("/")) {
                    resource = resource.substring(1);
                }
                boolean directory = resource.isEmpty() || resource.endsWith("/");
                String check = directory && !resource.isEmpty() ? resource.substring(0, resource.length() - 1) : resource;
                if (!check.isEmpty() && !validRest(check)) {
                    throw new IllegalArgumentException("not a plain class path resource name: '" + target + "'");
                }
                return new Rule(urlPath, directory, null, resource, loader, contentType);
            }
            Path p;
            try {
                p = path != null ? path : Path.of(target);
            } catch (InvalidPathException e) {
                throw new IllegalArgumentException("not a file system path: '" + target + "'", e);
            }
            p = p.toAbsolutePath().normalize();
            boolean directory = (target != null && (target.endsWith("/") || target.endsWith(File.separator)))
                    || Files.isDirectory(p);
            return new Rule(urlPath, directory, p, null, loader, contentType);
        }
    }
}
