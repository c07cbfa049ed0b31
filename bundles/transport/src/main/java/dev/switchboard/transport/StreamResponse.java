package dev.switchboard.transport;

/**
 * A response head read from a stream {@link WebSocketTransport#openStream opened} by the client
 * side, and the connection after it: its first bytes are any read past the head (a server's first
 * WebSocket frame often arrives with its 101).
 */
public record StreamResponse(ResponseHead head, ByteStream stream) {
}
