package dev.switchboard.proxy.internal;

import dev.switchboard.transport.ByteReceiver;
import dev.switchboard.transport.ByteSink;
import dev.switchboard.transport.ByteSource;
import dev.switchboard.transport.ByteStream;
import dev.switchboard.transport.HopByHop;
import dev.switchboard.transport.HttpHeader;
import dev.switchboard.transport.RequestHead;
import dev.switchboard.transport.ResponseHead;
import dev.switchboard.transport.StreamExchange;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Future;

/**
 * One browser request carried by one tunnel stream, on the controller: the request head and body
 * go to the agent; the service's answer comes back as an HTTP response, or after its 101 as the
 * bytes of a WebSocket, passed through unchanged. Credit goes back to the agent only as the browser
 * takes the bytes, so a slow browser holds back its own stream only.
 */
final class ProxiedExchange implements TunnelStream.Handler {

    /** A WebSocket through the proxy opened or closed (PROTOCOL.md; the endpoint publishes these). */
    interface Events {
        void webSocketOpened(ProxyRoutes.Route route, TunnelStream stream);

        void webSocketClosed(ProxyRoutes.Route route, TunnelStream stream, long toBrowser, long toService,
                             Duration open, String reason);
    }

    private final StreamExchange exchange;
    private final ProxyRoutes.Route route;
    private final RouteMetrics.Counters metrics;
    private final Events events;
    private final long started = System.nanoTime();

    // guarded by this
    private TunnelStream stream;
    private ByteSource upstream;
    private CreditedSink downstream;
    private ByteStream webSocket;
    private FrameBoundary boundary;
    private boolean answered;
    private boolean goneAway;
    /** The 504 awaiting the answer: cancelled by it, so an answered request is not held till then. */
    private Future<?> openDeadline;

    ProxiedExchange(StreamExchange exchange, ProxyRoutes.Route route, RouteMetrics.Counters metrics, Events events) {
        this.exchange = exchange;
        this.route = route;
        this.metrics = metrics;
        this.events = events;
    }

    /**
     * Opens the stream on {@code tunnel}; 504 unless the agent answers within {@code openTimeout}
     * of the request's end (a service may read a long upload whole before it answers). The request
     * body follows as DATA: {@code collected} when it was read already (a chunked body, see
     * {@link BrowserFront}), else the browser's bytes as they come, under the stream's window.
     */
    void start(Tunnel tunnel, RequestHead head, Duration openTimeout, AgentListener.Scheduler scheduler,
               List<ByteBuffer> collected) {
        TunnelStream opened = tunnel.open(route.service(), ByteBuffer.wrap(head.bytes()), this);
        if (opened == null) {
            page(exchange, metrics, 502, "Bad Gateway", "agent " + route.agent() + " is not connected");
            return;
        }
        synchronized (this) {
            stream = opened;
        }
        Runnable awaitAnswer = () -> awaitAnswer(scheduler.schedule(openTimeout, () -> timedOut(opened, openTimeout)));
        exchange.onAbort(() -> opened.reset(ResetCode.CANCEL, "browser went away"));
        if (collected != null) {
            collected.forEach(opened::write);
            opened.end();
            awaitAnswer.run();
        } else if (!exchange.isUpgrade()) {
            pipe(exchange.body(), opened, awaitAnswer);
        } else {
            awaitAnswer.run();
        }
    }

    private void awaitAnswer(Future<?> deadline) {
        synchronized (this) {
            if (!answered) {
                openDeadline = deadline;
                return;
            }
        }
        deadline.cancel(false);
    }

    /** Marks the request answered (its answer came, or it ended without one); false when it was already. The caller holds the lock. */
    private boolean answer() {
        if (answered) {
            return false;
        }
        answered = true;
        if (openDeadline != null) {
            openDeadline.cancel(false);
            openDeadline = null;
        }
        return true;
    }

    private void timedOut(TunnelStream opened, Duration openTimeout) {
        synchronized (this) {
            if (!answer()) {
                return;
            }
        }
        opened.reset(ResetCode.TIMEOUT, "no answer within " + openTimeout.toSeconds() + " s");
        page(exchange, metrics, 504, "Gateway Timeout", "the service of agent " + route.agent()
                + " did not answer within " + openTimeout.toSeconds() + " s");
    }

    /**
     * Browser bytes (a request body, or a WebSocket's frames) to the agent, paused while the stream
     * is full; {@code ended} runs once they are all sent.
     */
    private void pipe(ByteSource source, TunnelStream opened, Runnable ended) {
        synchronized (this) {
            upstream = source;
        }
        source.receive(new ByteReceiver() {
            @Override
            public void onBytes(ByteBuffer bytes) {
                metrics.toService(bytes.remaining());
                if (!opened.write(bytes)) {
                    source.pause();
                    if (opened.hasRoom()) {
                        source.resume();
                    }
                }
            }

            @Override
            public void onEnd() {
                opened.end();
                ended.run();
            }

            @Override
            public void onClosed(boolean reset) {
                if (reset) {
                    opened.reset(ResetCode.CANCEL, "browser went away");
                }
                closed(opened, reset ? "browser went away" : "closed");
            }
        });
    }

    @Override
    public void onWritable(TunnelStream opened) {
        ByteSource source;
        synchronized (this) {
            source = upstream;
        }
        if (source != null) {
            source.resume();
        }
    }

    @Override
    public void onAccept(TunnelStream opened, ByteBuffer head) {
        ResponseHead response;
        try {
            response = ProxyCodec.responseHead(head);
        } catch (IllegalArgumentException e) {
            opened.reset(ResetCode.INTERNAL, "unreadable response head");
            onReset(opened, ResetCode.INTERNAL, "unreadable response head from the agent");
            return;
        }
        ByteStream switched = null;
        synchronized (this) {
            if (!answer()) {
                return;
            }
            metrics.answered(response.status());
            List<HttpHeader> headers = HopByHop.forward(response).headers();
            if (response.status() == 101 && exchange.isUpgrade()) {
                switched = exchange.switchProtocols(headers);
                webSocket = switched;
                // a frame up to half the window goes whole: the agent can always send its rest (PROTOCOL.md §6)
                boundary = new FrameBoundary(opened.receiveWindow() / 2);
                downstream = new CreditedSink(opened, switched);
            } else {
                downstream = new CreditedSink(opened, exchange.respond(response.status(), response.reason(), headers));
            }
        }
        if (switched != null) {
            metrics.webSocketOpened();
            events.webSocketOpened(route, opened);
            pipe(switched, opened, () -> { });
        }
    }

    /** The service's bytes; a WebSocket's go to the browser whole frames at a time as {@link FrameBoundary} admits them. */
    @Override
    public void onData(TunnelStream opened, ByteBuffer bytes) {
        metrics.toBrowser(bytes.remaining());
        synchronized (this) {
            if (downstream != null && webSocket != null) {
                if (!goneAway) {
                    boundary.admit(bytes).forEach(downstream::write);
                }
                return;
            }
            if (downstream != null) {
                downstream.write(bytes);
                return;
            }
        }
        opened.reset(ResetCode.INTERNAL, "DATA before the answer");
    }

    @Override
    public void onEnd(TunnelStream opened) {
        CreditedSink sink;
        synchronized (this) {
            sink = downstream;
        }
        if (sink != null) {
            sink.sink().end();
        }
    }

    /** The stream is gone: an answer page if none started, else the browser's connection ends. */
    @Override
    public void onReset(TunnelStream opened, ResetCode code, String reason) {
        CreditedSink sink;
        ByteStream socket;
        boolean unanswered;
        synchronized (this) {
            unanswered = answer();
            sink = downstream;
            socket = webSocket;
        }
        if (unanswered) {
            if (code == ResetCode.TIMEOUT) {
                page(exchange, metrics, 504, "Gateway Timeout", reason);
            } else {
                page(exchange, metrics, 502, "Bad Gateway", (code == ResetCode.REFUSED ? "service refused: "
                        : "proxy stream lost: ") + reason);
            }
        } else if (socket != null) {
            goingAway(socket);
        } else if (sink != null) {
            sink.sink().abort();
        }
    }

    /**
     * Ends a browser WebSocket with a close frame 1001 when it is between frames (always, unless a
     * frame over the hold limit was under way), else by closing the connection.
     */
    private void goingAway(ByteStream socket) {
        synchronized (this) {
            goneAway = true;
            if (boundary.atBoundary()) {
                socket.write(FrameBoundary.closeFrame(1001, "proxy tunnel lost"));
            }
        }
        socket.close();
    }

    private void closed(TunnelStream opened, String reason) {
        ByteStream socket;
        synchronized (this) {
            socket = webSocket;
            webSocket = null;
        }
        if (socket != null) {
            metrics.webSocketClosed();
            events.webSocketClosed(route, opened, socket.bytesWritten(), socket.bytesRead(),
                    Duration.ofNanos(System.nanoTime() - started), reason);
        }
    }

    /** A short HTML answer of the controller's own. */
    static void page(StreamExchange exchange, RouteMetrics.Counters metrics, int status, String reason, String text) {
        byte[] body = ("<!doctype html><title>" + status + " " + reason + "</title><h1>" + status + " " + reason
                + "</h1><p>" + escape(text) + "</p>\n").getBytes(StandardCharsets.UTF_8);
        metrics.answered(status);
        try {
            ByteSink sink = exchange.respond(status, reason, List.of(
                    new HttpHeader("Content-Type", "text/html; charset=utf-8"),
                    new HttpHeader("Content-Length", Integer.toString(body.length)),
                    new HttpHeader("Cache-Control", "no-store")));
            sink.write(ByteBuffer.wrap(body));
            sink.end();
        } catch (IllegalStateException e) {
            // answered already (the browser's request raced a reset): nothing more to say
        }
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
