package dev.switchboard.transport;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * One request claimed by a stream route, answered exactly once: as HTTP by {@link #respond}, or,
 * for an upgrade, by {@link #switchProtocols}, which hands over the connection.
 */
public interface StreamExchange {

    /** The request head as the client sent it (hop-by-hop headers included; see {@link HopByHop}). */
    RequestHead request();

    InetSocketAddress remoteAddress();

    /** Whether this is an upgrade request ({@link RequestHead#upgrade()}). */
    default boolean isUpgrade() {
        return request().upgrade().isPresent();
    }

    /**
     * The request body, de-chunked; ends at once for a request without one and for an upgrade
     * (whose bytes after the head belong to the switched stream).
     */
    ByteSource body();

    /**
     * Answers with {@code status} and {@code headers}; the body follows through the sink and
     * {@link ByteSink#end()} completes it. A {@code Content-Length} header fixes the body's
     * length, else it is chunked. Plain requests keep their connection alive; an upgrade
     * request answered this way (a refusal) closes it after the body.
     */
    ByteSink respond(int status, String reason, List<HttpHeader> headers);

    /**
     * Answers an upgrade request with {@code 101 Switching Protocols}, {@code headers} and one
     * {@code Connection: Upgrade} with the request's {@code Upgrade} token when the headers lack
     * them, then hands over the connection: bytes the client sent after its head come first.
     *
     * @throws IllegalStateException for a plain request
     */
    ByteStream switchProtocols(List<HttpHeader> headers);

    /** Runs {@code task} once if the client goes away before the answer ended. */
    void onAbort(Runnable task);
}
