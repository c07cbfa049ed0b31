package dev.switchboard.transport;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The hop-by-hop header rules every relay and proxy applies once, here: RFC 7230 §6.1 with the
 * list Go's {@code httputil.ReverseProxy} removes, {@code Connection: Upgrade} normalised for an
 * upgrade (Firefox sends {@code Connection: keep-alive, Upgrade}), {@code X-Forwarded-*} added.
 * {@code Host} and {@code Origin} are kept: the service behind decides what it accepts.
 */
public final class HopByHop {

    /** Removed from every forwarded head, with every header {@code Connection} names (lower case). */
    public static final Set<String> HEADERS = Set.of("connection", "proxy-connection", "keep-alive",
            "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade");

    private HopByHop() {
    }

    /**
     * The request head to send on: hop-by-hop headers removed ({@code TE: trailers} kept), an
     * upgrade's {@code Connection: Upgrade} and {@code Upgrade} token put back once, and
     * {@code X-Forwarded-For} (appended to an earlier list), {@code X-Forwarded-Host} and
     * {@code X-Forwarded-Proto} added.
     *
     * @param client the address the request came from
     * @param proto  {@code http} or {@code https}, as the client spoke to us
     */
    public static RequestHead forward(RequestHead request, String client, String proto) {
        Optional<String> upgrade = request.upgrade();
        boolean trailers = request.headers().stream().anyMatch(h -> h.is("TE") && h.tokens().contains("trailers"));
        List<HttpHeader> headers = strip(request.headers());
        String forwardedFor = null;
        for (HttpHeader header : request.headers()) {
            if (header.is("X-Forwarded-For")) {
                forwardedFor = forwardedFor == null ? header.value() : forwardedFor + ", " + header.value();
            }
        }
        headers.removeIf(h -> h.is("X-Forwarded-For"));
        if (trailers) {
            headers.add(new HttpHeader("TE", "trailers"));
        }
        upgrade.ifPresent(protocol -> {
            headers.add(new HttpHeader("Connection", "Upgrade"));
            headers.add(new HttpHeader("Upgrade", protocol));
        });
        headers.add(new HttpHeader("X-Forwarded-For", forwardedFor == null ? client : forwardedFor + ", " + client));
        if (request.header("X-Forwarded-Host").isEmpty()) {
            request.header("Host").ifPresent(host -> headers.add(new HttpHeader("X-Forwarded-Host", host)));
        }
        if (request.header("X-Forwarded-Proto").isEmpty()) {
            headers.add(new HttpHeader("X-Forwarded-Proto", proto));
        }
        return request.withHeaders(headers);
    }

    /**
     * The response head to send back: hop-by-hop headers removed; a 101 gets one
     * {@code Connection: Upgrade} and the {@code Upgrade} token it came with.
     */
    public static ResponseHead forward(ResponseHead response) {
        List<HttpHeader> headers = strip(response.headers());
        if (response.status() == 101) {
            headers.add(new HttpHeader("Connection", "Upgrade"));
            response.header("Upgrade").ifPresent(protocol -> headers.add(new HttpHeader("Upgrade", protocol)));
        }
        return response.withHeaders(headers);
    }

    /** {@code headers} without {@link #HEADERS} and without the headers {@code Connection} names. */
    public static List<HttpHeader> strip(List<HttpHeader> headers) {
        Set<String> drop = new HashSet<>(HEADERS);
        headers.stream().filter(h -> h.is("Connection")).forEach(h -> drop.addAll(h.tokens()));
        List<HttpHeader> kept = new ArrayList<>(headers.size() + 5);
        for (HttpHeader header : headers) {
            if (!drop.contains(header.name().toLowerCase(Locale.ROOT))) {
                kept.add(header);
            }
        }
        return kept;
    }
}
