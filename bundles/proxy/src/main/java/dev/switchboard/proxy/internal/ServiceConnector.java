package dev.switchboard.proxy.internal;

import dev.switchboard.transport.WebSocketTransport;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * The agent's side of a stream: connects to the service the controller named and passes bytes
 * both ways (PROTOCOL.md §2, "Stream life").
 */
final class ServiceConnector implements Tunnel.Acceptor {

    private final String endpointId;
    private final Map<String, URI> services;
    private final WebSocketTransport transport;

    ServiceConnector(String endpointId, Map<String, URI> services, WebSocketTransport transport) {
        this.endpointId = endpointId;
        this.services = services;
        this.transport = transport;
    }

    @Override
    public TunnelStream.Handler open(TunnelStream stream, ByteBuffer head) {
        URI service = services.get(stream.service());
        if (service == null) {
            stream.reset(ResetCode.REFUSED, "agent has no service " + stream.service());
        } else {
            // the transport's byte streams connect the service (merged from the streams work)
            stream.reset(ResetCode.INTERNAL, "service connections are not available yet");
        }
        return Refused.HANDLER;
    }

    /** The handler of a stream refused at once: nothing more can arrive for it. */
    enum Refused implements TunnelStream.Handler {
        HANDLER;

        @Override
        public void onData(TunnelStream stream, ByteBuffer bytes) {
        }

        @Override
        public void onEnd(TunnelStream stream) {
        }

        @Override
        public void onReset(TunnelStream stream, ResetCode code, String reason) {
        }
    }
}
