package dev.switchboard.transport.internal;

import dev.switchboard.transport.ByteSink;
import dev.switchboard.transport.HttpHandler;
import dev.switchboard.transport.HttpRequest;
import dev.switchboard.transport.HttpResponse;
import dev.switchboard.transport.StreamHandler;
import java.io.CharConversionException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The plain HTTP side of a server: the longest matching path prefix answers; nothing matching is a 404. */
final class HttpRoutes extends org.glassfish.grizzly.http.server.HttpHandler {

    private static final Logger LOG = LoggerFactory.getLogger(HttpRoutes.class);

    private final String serverLabel;
    private final Map<String, HttpHandler> routes = new ConcurrentHashMap<>();

    HttpRoutes(String serverLabel) {
        this.serverLabel = serverLabel;
    }

    /** The stream routes that may claim a request first; set once, before the server starts. */
    private StreamRoutes streams;

    void streams(StreamRoutes routes) {
        this.streams = routes;
    }

    void add(String pathPrefix, HttpHandler handler) {
        if (routes.putIfAbsent(pathPrefix, handler) != null) {
            throw new IllegalStateException(serverLabel + " already routes HTTP prefix " + pathPrefix);
        }
    }

    @Override
    public void service(Request request, Response response) throws Exception {
        String path;
        try {
            path = request.getDecodedRequestURI();
        } catch (CharConversionException e) {
            response.sendError(400);
            return;
        }
        StreamHandler stream = streams == null ? null : streams.claim(rawPath(request), false);
        if (stream != null) {
            serve(stream, request, response, path);
            return;
        }
        HttpHandler handler = route(path);
        // a blocking handler's writes wait while the client is slow, instead of queueing without end
        request.getContext().getConnection().setMaxAsyncWriteQueueSize(ByteSink.DEFAULT_WRITE_LIMIT);
        if (handler == null) {
            response.sendError(404);
            return;
        }
        try {
            handler.handle(new GrizzlyRequest(request, path), new GrizzlyResponse(response));
        } catch (Exception e) {
            LOG.warn("{} HTTP {} {} failed: {}", serverLabel, request.getMethod().getMethodString(), path, e.toString());
            if (!response.isCommitted()) {
                response.reset();
                response.sendError(500);
            }
        }
    }

    private void serve(StreamHandler stream, Request request, Response response, String path) {
        HttpStreamExchange exchange = new HttpStreamExchange(request, response);
        try {
            stream.handle(exchange);
        } catch (RuntimeException e) {
            LOG.warn("{} stream route {} {} failed: {}", serverLabel, exchange.request().method(), path, e.toString());
            exchange.failed();
        } finally {
            exchange.handled();
        }
    }

    private static String rawPath(Request request) {
        String uri = request.getRequestURI();
        return uri == null ? "/" : uri;
    }

    /** The length of the longest HTTP prefix {@code path} starts with, or -1. */
    int longestPrefix(String path) {
        int longest = -1;
        for (String prefix : routes.keySet()) {
            if (path.startsWith(prefix)) {
                longest = Math.max(longest, prefix.length());
            }
        }
        return longest;
    }

    private HttpHandler route(String path) {
        String best = null;
        for (String prefix : routes.keySet()) {
            if (path.startsWith(prefix) && (best == null || prefix.length() > best.length())) {
                best = prefix;
            }
        }
        return best == null ? null : routes.get(best);
    }

    private record GrizzlyRequest(Request request, String path) implements HttpRequest {

        @Override
        public String method() {
            return request.getMethod().getMethodString();
        }

        @Override
        public String query() {
            String query = request.getQueryString();
            return query == null ? "" : query;
        }

        @Override
        public Map<String, List<String>> headers() {
            Map<String, List<String>> headers = new LinkedHashMap<>();
            for (String name : request.getHeaderNames()) {
                List<String> values = new ArrayList<>();
                request.getHeaders(name).forEach(values::add);
                headers.merge(name.toLowerCase(Locale.ROOT), values, (a, b) -> {
                    List<String> both = new ArrayList<>(a);
                    both.addAll(b);
                    return both;
                });
            }
            return Collections.unmodifiableMap(headers);
        }

        @Override
        public Optional<String> header(String name) {
            return Optional.ofNullable(request.getHeader(name));
        }

        @Override
        public InputStream body() {
            return request.getInputStream();
        }

        @Override
        public InetSocketAddress remoteAddress() {
            return new InetSocketAddress(request.getRemoteAddr(), request.getRemotePort());
        }
    }

    private record GrizzlyResponse(Response response) implements HttpResponse {

        @Override
        public void status(int code) {
            response.setStatus(code);
        }

        @Override
        public void header(String name, String value) {
            response.addHeader(name, value);
        }

        @Override
        public OutputStream body() {
            return response.getOutputStream();
        }
    }
}
