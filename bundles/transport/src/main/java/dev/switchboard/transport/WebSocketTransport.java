package dev.switchboard.transport;

import java.io.IOException;

/**
 * The OSGi service adapters use to open WebSockets. Bundle-scoped: each bundle gets its own
 * instance, and every client and server a bundle opened and forgot is closed when that bundle
 * releases the service (stop, update, uninstall).
 */
public interface WebSocketTransport {

    /**
     * Starts a client connecting in the background; never blocks on the network. The handler's
     * {@code onOpen} runs after each successful handshake.
     */
    WebSocketClient connect(ClientSpec spec, ClientHandler handler);

    /**
     * Binds a server on {@code spec.host():spec.port()} and starts accepting. Binding is local and
     * quick; it fails with an {@link IOException} saying why (address in use, unknown host).
     */
    WebSocketServer listen(ServerSpec spec) throws IOException;
}
