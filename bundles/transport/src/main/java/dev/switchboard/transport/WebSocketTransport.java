package dev.switchboard.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
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
     * head arrived within {@code timeout}. For a request without a body (an upgrade, a GET).
     */
    default CompletionStage<StreamResponse> openStream(InetSocketAddress address, RequestHead request,
                                                       Duration timeout) {
        return openStream(address, request, timeout, sink -> { });
    }

    /**
     * As {@link #openStream(InetSocketAddress, RequestHead, Duration)}, handing {@code body} the
     * connection's sink once the head is written, to write the request body (as long as the head's
     * {@code Content-Length} says, or chunked): the response head may come before the body ends.
     */
    CompletionStage<StreamResponse> openStream(InetSocketAddress address, RequestHead request, Duration timeout,
                                               Consumer<ByteSink> body);

    /**
     * As {@link #openStream(InetSocketAddress, RequestHead, Duration, Consumer)} on a connection
     * kept alive: {@code stream} came from an earlier {@link StreamResponse} of this transport, its
     * response was read to its end and it was {@linkplain ByteStream#release() released}. The
     * stage fails as that of openStream does, also when the connection closed while idle.
     */
    CompletionStage<StreamResponse> sendOn(ByteStream stream, RequestHead request, Duration timeout,
                                           Consumer<ByteSink> body);

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
