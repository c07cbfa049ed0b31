package dev.switchboard.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The OSGi service adapters use to open WebSockets. Bundle-scoped: each bundle gets its own
 * instance, and every client, server and heartbeat a bundle opened and forgot is closed when that
 * bundle releases the service (stop, update, uninstall).
 */
@ProviderType
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

    /**
     * Opens a TCP connection to {@code address}, writes {@code request}'s head, reads the
     * response head and continues as a raw byte stream; never blocks. The stage fails with an
     * {@link IOException} when the connection fails, the head is not HTTP or over 64 KiB, or no
     * head arrived within {@code timeout}. Any request body is the caller's to write on the stream
     * after the stage completed.
     */
    CompletionStage<StreamResponse> openStream(InetSocketAddress address, RequestHead request, Duration timeout);

    /**
     * An application-level heartbeat (not yet started) whose beats run on this transport's timer,
     * the one thread that also runs keepalive pings, timeouts and retries: no thread per
     * heartbeat. It stops for good when this transport is closed.
     *
     * @param name     names the heartbeat in logs, usually the endpoint id
     * @param interval time between beats; positive
     * @param beat     what each beat does; short and non-blocking (a {@code sendText} is fine)
     */
    Heartbeat heartbeat(String name, Duration interval, Runnable beat);
}
