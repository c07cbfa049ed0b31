package dev.switchboard.relay.internal;

import dev.switchboard.transport.ByteSink;
import dev.switchboard.transport.HopByHop;
import dev.switchboard.transport.HttpHeader;
import dev.switchboard.transport.RequestHead;
import dev.switchboard.transport.ResponseHead;
import dev.switchboard.transport.StreamExchange;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * One browser request on the relay server, forwarded over a tunnel's control channel: its head
 * and body go out, the client's response head and body come back, each body within its window.
 * An upgrade ends differently: its data connection is spliced to the browser (see
 * {@link RelayServer}) unless the service refused it, which comes back as a response.
 */
final class ServerCall {

    /** What the relay server does for a call it cannot do alone. */
    interface Relay {
        Future<?> later(java.time.Duration delay, Runnable task);

        void ended(ServerCall call, int status, long bytesIn, long bytesOut);
    }

    final long id;
    final StreamExchange exchange;
    final Tunnel tunnel;
    final long startNanos = System.nanoTime();
    private final Relay relay;
    private final java.time.Duration timeout;
    private final AtomicBoolean answered = new AtomicBoolean();
    private final AtomicBoolean ended = new AtomicBoolean();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private volatile BodySender request;
    private volatile BodyWriter response;
    private volatile Future<?> deadline;
    private volatile int status;

    ServerCall(long id, StreamExchange exchange, Tunnel tunnel, Relay relay, java.time.Duration timeout) {
        this.id = id;
        this.exchange = exchange;
        this.tunnel = tunnel;
        this.relay = relay;
        this.timeout = timeout;
        exchange.onAbort(() -> {
            tunnel.send(RelayCodec.abort(id, "the browser went away"));
            end(499);
        });
    }

    /**
     * Sends a plain request and its body; the timeout runs from the end of the body. A request
     * without a body is its request message alone: the client knows from its framing that no END
     * follows.
     */
    void start(RequestHead forwarded) {
        RelayCodec.BodyFraming framing = forwarded.header("Content-Length").isPresent() ? RelayCodec.BodyFraming.LENGTH
                : exchange.request().header("Transfer-Encoding").isPresent() ? RelayCodec.BodyFraming.CHUNKED
                : RelayCodec.BodyFraming.NONE;
        tunnel.send(RelayCodec.request(id, forwarded, framing));
        if (framing == RelayCodec.BodyFraming.NONE) {
            bodySent();
            return;
        }
        BodySender sender = new BodySender(id, exchange.body(), frame -> {
            bytesIn.add(frame.remaining() - 9L);
            tunnel.send(frame);
        }, this::bodySent,
                () -> {
                    tunnel.send(RelayCodec.abort(id, "the browser's body broke off"));
                    end(499);
                });
        request = sender;
        sender.start();
    }

    /**
     * The deadline starts once the body is sent, unless the answer came first (a quick service's
     * answer to a GET often does): a deadline nobody cancels holds the call until it runs.
     */
    private void bodySent() {
        if (!answered.get()) {
            deadline = relay.later(timeout, this::timedOut);
            if (answered.get()) {
                cancelDeadline();
            }
        }
    }

    /** An upgrade: the timeout is the connection id's life, set by the server. */
    void startUpgrade(String connectionId, RequestHead forwarded) {
        tunnel.send(RelayCodec.upgrade(id, connectionId, forwarded));
    }

    void onResponse(ResponseHead head) {
        if (!answered.compareAndSet(false, true)) {
            return;
        }
        cancelDeadline();
        status = head.status();
        ByteSink sink = exchange.respond(head.status(), head.reason(), HopByHop.forward(head).headers());
        response = new BodyWriter(sink, bytes -> tunnel.send(RelayCodec.ack(id, bytes)));
    }

    /** A response that came in one frame: its head, the whole body, the end. */
    void onWholeResponse(ResponseHead head, ByteBuffer body) {
        onResponse(head);
        if (body.hasRemaining()) {
            onData(body);
        }
        onEnd();
    }

    void onData(ByteBuffer payload) {
        BodyWriter writer = response;
        if (writer != null) {
            bytesOut.add(payload.remaining());
            writer.data(payload);
        }
    }

    void onEnd() {
        BodyWriter writer = response;
        if (writer != null) {
            writer.end();
            end(status);
        }
    }

    void onAck(long bytes) {
        BodySender sender = request;
        if (sender != null) {
            sender.acked(bytes);
        }
    }

    /** The client gave up on this request (its service failed mid-way). */
    void onAbort() {
        BodyWriter writer = response;
        if (writer != null) {
            writer.abort();
            end(status);
        } else {
            fail(502, "The tunnel's service failed.");
        }
    }

    /** The upgrade was spliced: the call is done as far as the control channel goes. */
    boolean claimForSplice() {
        if (!answered.compareAndSet(false, true)) {
            return false;
        }
        status = 101;
        ended.set(true);
        tunnel.calls.remove(id, this);
        return true;
    }

    /**
     * No answer in time: 504, unless the answer came meanwhile. The deadline is set when the request
     * body has been sent, which can be after a quick service has already answered (a GET); a late
     * deadline must never cut off a response that is streaming.
     */
    private void timedOut() {
        if (answered.compareAndSet(false, true)) {
            page(exchange, 504, "The tunnel's service did not answer in time.");
            end(504);
        }
    }

    /** Answers the browser with {@code code} and a short text, if nothing was answered yet. */
    void fail(int code, String text) {
        cancelDeadline();
        if (answered.compareAndSet(false, true)) {
            page(exchange, code, text);
            end(code);
        } else {
            BodyWriter writer = response;
            if (writer != null) {
                writer.abort();
            }
            end(status);
        }
    }

    private void end(int finalStatus) {
        if (ended.compareAndSet(false, true)) {
            tunnel.calls.remove(id, this);
            tunnel.recordRequest(finalStatus, bytesIn.sum(), bytesOut.sum());
            relay.ended(this, finalStatus, bytesIn.sum(), bytesOut.sum());
        }
    }

    private void cancelDeadline() {
        Future<?> pending = deadline;
        if (pending != null) {
            pending.cancel(false);
        }
    }

    /** Answers {@code exchange} with {@code code} and a short plain-text page. */
    static void page(StreamExchange exchange, int code, String text) {
        byte[] page = (text + "\n").getBytes(StandardCharsets.UTF_8);
        ByteSink sink = exchange.respond(code, reason(code), List.of(
                new HttpHeader("Content-Type", "text/plain; charset=utf-8"),
                new HttpHeader("Content-Length", Integer.toString(page.length))));
        sink.write(ByteBuffer.wrap(page));
        sink.end();
    }

    private static String reason(int code) {
        return switch (code) {
            case 404 -> "Not Found";
            case 431 -> "Request Header Fields Too Large";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "Error";
        };
    }
}
