package dev.switchboard.transport;

import java.nio.ByteBuffer;

/**
 * Protocol logic for WebSocket connections, client or server side. One handler may serve many
 * connections (a server route) or the successive connections of one reconnecting client; every
 * call names the connection it is about.
 *
 * <p>Calls for one connection come from one thread at a time, in frame order. An exception
 * thrown by a handler is caught, counted as an error in the connection's metrics and logged; the
 * connection stays open.
 */
public interface WebSocketHandler {

    /**
     * The handshake completed. For a client this runs after every (re)connect: run the protocol's
     * own handshake (auth, connection_init, re-subscribe) here.
     */
    default void onOpen(WebSocketConnection connection) {
    }

    /**
     * A text message. Messages the peer sent before it read our Close still come after
     * {@link WebSocketConnection#close} (RFC 6455 §7.1.1), with {@code isOpen()} false: a handler
     * that refused the peer ignores them, one that stops takes them.
     */
    default void onText(WebSocketConnection connection, String text) {
    }

    default void onBinary(WebSocketConnection connection, ByteBuffer data) {
    }

    /**
     * The connection closed, by either side or because the transport closed it (1009 too big,
     * 1013 too slow, 1001 dead peer, 1006 lost). A close this side asked for is reported with its
     * code once the peer answered it, or after 5 s without an answer.
     */
    default void onClose(WebSocketConnection connection, int code, String reason) {
    }

    /** A transport error on an open connection; {@link #onClose} follows when it ends it. */
    default void onError(WebSocketConnection connection, Throwable error) {
    }

    /**
     * True when every call returns at once, never waiting on I/O or a long-held lock: a server
     * then calls it on the thread that read the frames (its one selector thread) instead of
     * handing each read to its worker pool, a thread switch saved per read; a client, on its
     * connection's own selector thread. A handler that blocks would stall every connection of the
     * server, so false unless the handler says so.
     */
    default boolean neverBlocks() {
        return false;
    }
}
