package dev.switchboard.proxy.internal;

import dev.switchboard.transport.WebSocketConnection;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletionStage;

/** The WebSocket under a {@link Tunnel}. */
public interface TunnelOutput {
    /** Sends one binary message made of {@code parts} (frames' headers and payloads, in order); completes when written. */
    CompletionStage<Void> send(List<ByteBuffer> parts);

    void close(int code, String reason);

    /** The tunnel over one WebSocket connection. */
    static TunnelOutput over(WebSocketConnection connection) {
        return new TunnelOutput() {
            @Override
            public CompletionStage<Void> send(List<ByteBuffer> parts) {
                return connection.sendBinary(parts);
            }

            @Override
            public void close(int code, String reason) {
                connection.close(code, reason);
            }
        };
    }
}
