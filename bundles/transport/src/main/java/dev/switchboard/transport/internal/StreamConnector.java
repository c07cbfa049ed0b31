package dev.switchboard.transport.internal;

import dev.switchboard.transport.ByteReceiver;
import dev.switchboard.transport.ByteSink;
import dev.switchboard.transport.RequestHead;
import dev.switchboard.transport.ResponseHead;
import dev.switchboard.transport.StreamResponse;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.glassfish.grizzly.CompletionHandler;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.EmptyCompletionHandler;
import org.glassfish.grizzly.nio.transport.TCPNIOConnectorHandler;
import org.glassfish.grizzly.nio.transport.TCPNIOTransport;
import org.glassfish.grizzly.nio.transport.TCPNIOTransportBuilder;
import org.glassfish.grizzly.strategies.SameThreadIOStrategy;
import org.glassfish.grizzly.threadpool.ThreadPoolConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of byte streams: one Grizzly transport with one selector thread
 * ({@code switchboard-transport-streams}) for every outgoing stream of a transport instance.
 * Stream events run on that thread: receivers never block.
 */
final class StreamConnector implements AutoCloseable {

    /** Largest response head read before the stream is refused. */
    static final int MAX_HEAD = 64 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(StreamConnector.class);

    private final TCPNIOTransport transport;
    private final TCPNIOConnectorHandler connector;
    private final ScheduledExecutorService timer;

    StreamConnector(ScheduledExecutorService timer) throws IOException {
        this.timer = timer;
        transport = TCPNIOTransportBuilder.newInstance()
                .setSelectorThreadPoolConfig(ThreadPoolConfig.defaultConfig().setPoolName("switchboard-transport-streams")
                        .setCorePoolSize(1).setMaxPoolSize(1).setDaemon(true))
                .setSelectorRunnersCount(1)
                .setWorkerThreadPoolConfig(null)
                .setIOStrategy(SameThreadIOStrategy.getInstance())
                .setTcpNoDelay(true)
                .setKeepAlive(true)
                .build();
        transport.setProcessor(GrizzlyByteStream.PROCESSOR);
        transport.start();
        connector = TCPNIOConnectorHandler.builder(transport).processor(GrizzlyByteStream.PROCESSOR).build();
    }

    CompletionStage<StreamResponse> open(InetSocketAddress address, RequestHead request, Duration timeout,
                                         Consumer<ByteSink> body) {
        CompletableFuture<StreamResponse> result = new CompletableFuture<>();
        CompletionHandler<Connection> connected = new EmptyCompletionHandler<>() {
            @Override
            public void completed(Connection connection) {
                send(new GrizzlyByteStream(connection, null), request, timeout, body).whenComplete((response, error) -> {
                    if (error != null) {
                        result.completeExceptionally(error);
                    } else {
                        result.complete(response);
                    }
                });
            }

            @Override
            public void failed(Throwable error) {
                result.completeExceptionally(new IOException("cannot connect to " + address + ": " + error, error));
            }
        };
        connector.connect(address, connected);
        return result;
    }

    /** Writes {@code request} on an open stream, whose receiver was released, and reads the response head. */
    CompletionStage<StreamResponse> send(GrizzlyByteStream stream, RequestHead request, Duration timeout,
                                         Consumer<ByteSink> body) {
        CompletableFuture<StreamResponse> result = new CompletableFuture<>();
        ScheduledFuture<?> deadline = timer.schedule(() -> result.completeExceptionally(
                new IOException("no response head from " + stream.remoteAddress() + " within " + timeout.toMillis()
                        + " ms")), timeout.toMillis(), TimeUnit.MILLISECONDS);
        result.whenComplete((response, error) -> {
            deadline.cancel(false);
            if (error != null) {
                stream.abort();
            }
        });
        stream.receive(new HeadReader(stream, result));
        stream.writeRaw(request.bytes());
        body.accept(stream);
        return result;
    }

    @Override
    public void close() {
        try {
            transport.shutdownNow();
        } catch (IOException e) {
            LOG.debug("stream transport stop failed: {}", e.toString());
        }
    }

    /** Collects the response head, then hands the stream on with the bytes past it. */
    private static final class HeadReader implements ByteReceiver {

        private final GrizzlyByteStream stream;
        private final CompletableFuture<StreamResponse> result;
        private byte[] head = new byte[0];

        HeadReader(GrizzlyByteStream stream, CompletableFuture<StreamResponse> result) {
            this.stream = stream;
            this.result = result;
        }

        @Override
        public void onBytes(ByteBuffer bytes) {
            int before = head.length;
            int taken = Math.min(bytes.remaining(), MAX_HEAD - before);
            head = Arrays.copyOf(head, before + taken);
            bytes.duplicate().get(head, before, taken);
            int end = ResponseHead.end(head, head.length);
            if (end < 0) {
                if (head.length >= MAX_HEAD) {
                    result.completeExceptionally(new IOException("response head over " + MAX_HEAD + " bytes"));
                }
                return;
            }
            ResponseHead parsed;
            try {
                parsed = ResponseHead.parse(head, end);
            } catch (IllegalArgumentException e) {
                result.completeExceptionally(new IOException(e.getMessage(), e));
                return;
            }
            bytes.position(bytes.position() + (end - before));
            stream.handOver(bytes.slice());
            if (!result.complete(new StreamResponse(parsed, stream))) {
                stream.abort();
            }
        }

        @Override
        public void onEnd() {
            result.completeExceptionally(new IOException("connection closed before a response head"));
        }

        @Override
        public void onClosed(boolean reset) {
            result.completeExceptionally(new IOException("connection closed before a response head"));
        }
    }
}
