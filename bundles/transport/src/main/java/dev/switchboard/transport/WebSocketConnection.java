package dev.switchboard.transport;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/** One open WebSocket, client or server side. Safe to use from any thread. */
public interface WebSocketConnection {

    /** Unique within this JVM, stable for the life of this connection. */
    String id();

    /** The request path as the client asked for it, with query string. */
    String path();

    /** Values of path template parameters ({@code /_ws_proxy/{id}}) on a server route. */
    Map<String, String> pathParameters();

    /** Handshake request headers (server side) or response headers (client side). */
    Map<String, List<String>> handshakeHeaders();

    /** The subprotocol both sides agreed on, or an empty string. */
    String subprotocol();

    InetSocketAddress remoteAddress();

    /**
     * Queues a text message. Completes when written; fails when the connection is closed or its
     * send queue is full (the connection is then closed with 1013).
     */
    CompletionStage<Void> sendText(String text);

    /** As {@link #sendText}, for a binary message. */
    CompletionStage<Void> sendBinary(ByteBuffer data);

    /**
     * As {@link #sendBinary(ByteBuffer)}, for one binary message made of {@code parts} in order (say
     * headers and the payloads they announce): where the connection encodes its frames itself, each
     * part is copied once, into the frame, rather than joined first.
     */
    CompletionStage<Void> sendBinary(List<ByteBuffer> parts);

    /**
     * Queues a text message that goes to many connections (a broadcast): where the connection
     * allows, its frame's bytes are written as they are. Nothing to wait for: a full send queue
     * closes the connection with 1013 as for {@link #sendText}.
     *
     * @return false when it was not queued (closing, closed, or closed now as too slow)
     */
    boolean send(SharedText message);

    /** Starts the closing handshake; idempotent. */
    void close(int code, String reason);

    /** False from the first {@link #close}, or once the connection ended: nothing more is sent. */
    boolean isOpen();

    /**
     * Outgoing messages waiting for the peer: queued but not yet written to the socket. Messages
     * held back for a moment to leave together with others (corked) are not counted: they wait
     * for this side, not for the peer.
     */
    int pendingSends();

    /** Live counters of this connection. */
    ConnectionMetrics metrics();

    /** Per-connection state for the handler (subscriptions, identity); thread-safe. */
    Map<String, Object> attributes();
}
