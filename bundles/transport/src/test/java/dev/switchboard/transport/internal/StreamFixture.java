package dev.switchboard.transport.internal;

import dev.switchboard.transport.ByteReceiver;
import dev.switchboard.transport.ByteStream;
import dev.switchboard.transport.HopByHop;
import dev.switchboard.transport.HttpHeader;
import dev.switchboard.transport.ServerSpec;
import dev.switchboard.transport.Splice;
import dev.switchboard.transport.WebSocketServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.glassfish.grizzly.http.HttpServerFilter;

/**
 * The pieces of a byte-stream test on loopback: a splicing front server (every request it gets
 * goes on to a backend through {@code openStream}, then both are spliced), blocking backends with
 * a behaviour per connection, a non-blocking echo backend, and raw-socket clients.
 */
final class StreamFixture implements AutoCloseable {

    final TyrusTransport transport = new TyrusTransport();
    final List<Splice> ended = new CopyOnWriteArrayList<>();
    /** Per upgrade the front switched: whether its connection still held Grizzly's HTTP codec request. */
    final List<Boolean> keptCodecRequest = new CopyOnWriteArrayList<>();
    final List<Boolean> endedReset = new CopyOnWriteArrayList<>();
    /** Request heads as backends received them. */
    final ConcurrentLinkedQueue<String> heads = new ConcurrentLinkedQueue<>();
    private final List<AutoCloseable> closing = new CopyOnWriteArrayList<>();

    /** A server splicing every request to {@code backend}; 502 when the backend cannot be reached. */
    WebSocketServer front(InetSocketAddress backend) throws IOException {
        WebSocketServer server = transport.listen(ServerSpec.builder("front").build());
        server.addStreamFallback(exchange -> transport.openStream(backend,
                        HopByHop.forward(exchange.request(), exchange.remoteAddress().getHostString(), "http"),
                        Duration.ofSeconds(10))
                .whenComplete((response, error) -> {
                    if (error != null) {
                        exchange.respond(502, "Bad Gateway", List.of(new HttpHeader("Content-Length", "0"))).end();
                        return;
                    }
                    ByteStream client = exchange.switchProtocols(HopByHop.forward(response.head()).headers());
                    keptCodecRequest.add(((GrizzlyByteStream) client).connection().getAttributes()
                            .getAttribute(HttpServerFilter.HTTP_SERVER_REQUEST_ATTR_NAME) != null);
                    Splice.join(client, response.stream(), (splice, reset) -> {
                        endedReset.add(reset);
                        ended.add(splice);
                    });
                }));
        return server;
    }

    /** A backend that echoes every byte after answering 101, on Grizzly (no thread per connection). */
    WebSocketServer echoBackend() throws IOException {
        WebSocketServer server = transport.listen(ServerSpec.builder("echo").build());
        server.addStreamFallback(exchange -> {
            ByteStream stream = exchange.switchProtocols(List.of());
            stream.receive(new ByteReceiver() {
                @Override
                public void onBytes(ByteBuffer bytes) {
                    stream.write(bytes);
                }

                @Override
                public void onEnd() {
                    stream.end();
                }
            });
        });
        return server;
    }

    /** A blocking backend running {@code behaviour} on each accepted socket, in a thread of its own. */
    Backend backend(Consumer<Socket> behaviour) throws IOException {
        Backend backend = new Backend(behaviour);
        closing.add(backend);
        return backend;
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
        transport.close();
    }

    static final class Backend implements AutoCloseable {

        final ServerSocket server;
        final ConcurrentLinkedQueue<Socket> sockets = new ConcurrentLinkedQueue<>();

        Backend(Consumer<Socket> behaviour) throws IOException {
            server = new ServerSocket(0, 2000, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket socket = server.accept();
                        sockets.add(socket);
                        Thread worker = new Thread(() -> behaviour.accept(socket), "test-backend-connection");
                        worker.setDaemon(true);
                        worker.start();
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "test-backend");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        InetSocketAddress address() {
            return (InetSocketAddress) server.getLocalSocketAddress();
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    /** Opens a raw connection to {@code port} and sends an upgrade request head, then {@code after}. */
    static Socket upgrade(int port, String extraHeaders, byte[] after) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(20_000);
        String head = "GET /chat?room=1 HTTP/1.1\r\nHost: app.localhost:" + port + "\r\n"
                + "Connection: keep-alive, Upgrade\r\nUpgrade: websocket\r\nOrigin: http://app.localhost\r\n"
                + extraHeaders + "\r\n";
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1));
        request.writeBytes(after);
        socket.getOutputStream().write(request.toByteArray());
        return socket;
    }

    /** Reads an HTTP head up to and including its blank line. */
    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("end of stream inside a head: " + head);
            }
            head.write(b);
            matched = (b == '\r' && matched % 2 == 0) || (b == '\n' && matched % 2 == 1) ? matched + 1 : 0;
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    static byte[] readExactly(InputStream in, int length) throws IOException {
        return in.readNBytes(length);
    }

    /** The usual answer of a backend to an upgrade: 101 then {@code first} in the same write. */
    static void answer101(Socket socket, String extraHeaders, byte[] first) throws IOException {
        OutputStream out = socket.getOutputStream();
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        answer.writeBytes(("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                + extraHeaders + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        answer.writeBytes(first);
        out.write(answer.toByteArray());
    }
}
