package dev.switchboard.relay.internal;

import dev.switchboard.transport.ByteReceiver;
import dev.switchboard.transport.ByteSink;
import dev.switchboard.transport.ByteStream;
import dev.switchboard.transport.RequestHead;
import dev.switchboard.transport.StreamResponse;
import dev.switchboard.transport.WebSocketTransport;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * The relay client's kept-alive connections to its local service: a request goes out on an idle
 * one when there is one, else on a new connection. A connection comes back only after a complete
 * response (see {@link LocalCall}); at most {@link #MAX_IDLE} wait, each at most
 * {@link #IDLE_TIMEOUT}. An idle connection the service closes, or sends anything on, is dropped at
 * once. A request that meets a connection the service closed just as it was taken is sent again
 * on a new one, once, when that is harmless: an idempotent method without a body.
 */
final class LocalConnections {

    static final int MAX_IDLE = 64;
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);

    private final WebSocketTransport transport;
    private final InetSocketAddress address;
    // most recently returned last: taken first, while the oldest ones time out
    private final ArrayDeque<Idle> idle = new ArrayDeque<>();
    private boolean closed;

    LocalConnections(WebSocketTransport transport, InetSocketAddress address) {
        this.transport = transport;
        this.address = address;
    }

    /**
     * Sends {@code request} and reads the response head, as {@link WebSocketTransport#openStream}
     * does; {@code repeatable}: it may be sent again on a new connection if a kept one fails before
     * any answer.
     */
    CompletionStage<StreamResponse> send(RequestHead request, Duration timeout, Consumer<ByteSink> body,
                                         boolean repeatable) {
        ByteStream kept = take();
        if (kept == null) {
            return transport.openStream(address, request, timeout, body);
        }
        CompletableFuture<StreamResponse> result = new CompletableFuture<>();
        transport.sendOn(kept, request, timeout, body).whenComplete((response, error) -> {
            if (error == null) {
                result.complete(response);
            } else if (repeatable) {
                transport.openStream(address, request, timeout, body).whenComplete((again, failed) -> {
                    if (failed == null) {
                        result.complete(again);
                    } else {
                        result.completeExceptionally(failed);
                    }
                });
            } else {
                result.completeExceptionally(error);
            }
        });
        return result;
    }

    /** Keeps {@code stream}, whose last response was read to its end, for a later request. */
    void giveBack(ByteStream stream) {
        stream.release();
        // a body whose last bytes used up its window paused the stream, and no ack will resume it
        stream.resume();
        // watched before it is listed, so a request that takes it at once finds it free of the watch
        stream.receive(idleWatch(stream));
        ByteStream dropped = stream;
        synchronized (this) {
            if (!closed && stream.isOpen()) {
                idle.addLast(new Idle(stream));
                dropped = idle.size() > MAX_IDLE ? idle.removeFirst().stream : null;
            }
        }
        if (dropped != null) {
            dropped.close();
        }
    }

    /** Closes the connections idle for longer than {@link #IDLE_TIMEOUT}. */
    void closeIdle() {
        long now = System.nanoTime();
        synchronized (this) {
            for (Iterator<Idle> it = idle.iterator(); it.hasNext(); ) {
                Idle entry = it.next();
                if (now - entry.since > IDLE_TIMEOUT.toNanos()) {
                    it.remove();
                    entry.stream.close();
                }
            }
        }
    }

    synchronized int idleCount() {
        return idle.size();
    }

    /** Closes the idle connections and every one given back later. */
    void close() {
        synchronized (this) {
            closed = true;
            idle.forEach(entry -> entry.stream.close());
            idle.clear();
        }
    }

    private ByteStream take() {
        closeIdle();
        while (true) {
            Idle entry;
            synchronized (this) {
                entry = idle.pollLast();
            }
            if (entry == null) {
                return null;
            }
            entry.stream.release();
            if (entry.stream.isOpen()) {
                return entry.stream;
            }
        }
    }

    /** While idle, nothing may arrive: bytes, an end or a close drop the connection. */
    private ByteReceiver idleWatch(ByteStream stream) {
        return new ByteReceiver() {
            @Override
            public void onBytes(ByteBuffer bytes) {
                drop(stream);
            }

            @Override
            public void onEnd() {
                drop(stream);
            }

            @Override
            public void onClosed(boolean reset) {
                drop(stream);
            }
        };
    }

    private void drop(ByteStream stream) {
        synchronized (this) {
            idle.removeIf(entry -> entry.stream == stream);
        }
        stream.close();
    }

    private record Idle(ByteStream stream, long since) {
        Idle(ByteStream stream) {
            this(stream, System.nanoTime());
        }
    }
}
