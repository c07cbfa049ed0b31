package dev.switchboard.proxy.internal;

import dev.switchboard.transport.ByteReceiver;
import dev.switchboard.transport.ByteSink;
import dev.switchboard.transport.ByteSource;
import dev.switchboard.transport.ByteStream;
import dev.switchboard.transport.HopByHop;
import dev.switchboard.transport.ResponseBodySource;
import dev.switchboard.transport.ResponseHead;
import dev.switchboard.transport.StreamResponse;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletionException;

/**
 * One stream on the agent: the service connection being opened, then bytes both ways between it
 * and the tunnel. The controller's bytes (a request body) go to the service as soon as the head is
 * written, before the service answers; those that come before the connection wait here, within the
 * stream's window.
 */
final class ServiceStream implements TunnelStream.Handler {

    /** The handler of a stream refused at once: nothing more can arrive for it. */
    static final TunnelStream.Handler REFUSED = new TunnelStream.Handler() {
        @Override
        public void onData(TunnelStream stream, ByteBuffer bytes) {
        }

        @Override
        public void onEnd(TunnelStream stream) {
        }

        @Override
        public void onReset(TunnelStream stream, ResetCode code, String reason) {
        }
    };

    private final TunnelStream tunnel;
    private final boolean upgrade;
    private final boolean headRequest;
    // guarded by this
    private final Deque<ByteBuffer> early = new ArrayDeque<>();
    /** The service's bytes for the tunnel: its connection's, or its answer's body. */
    private ByteSource service;
    private CreditedSink sink;
    private boolean ended;
    private boolean reset;

    ServiceStream(TunnelStream tunnel, boolean upgrade, boolean headRequest) {
        this.tunnel = tunnel;
        this.upgrade = upgrade;
        this.headRequest = headRequest;
    }

    /** The head is written to the service: the controller's bytes follow, credited as the service takes them. */
    void headWritten(ByteSink connection) {
        synchronized (this) {
            if (reset) {
                connection.abort();
                return;
            }
            sink = new CreditedSink(tunnel, connection);
            while (!early.isEmpty()) {
                sink.write(early.poll());
            }
            if (ended && upgrade) {
                connection.end();
            }
        }
    }

    /** The service answered its head, or could not be reached. */
    void connected(StreamResponse response, Throwable error) {
        if (error != null) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            tunnel.reset(ResetCode.REFUSED, cause.getMessage() == null ? cause.getClass().getSimpleName()
                    : cause.getMessage());
            return;
        }
        ByteStream connection = response.stream();
        ResponseHead head = response.head();
        // a plain answer ends where its framing says, even from a service that keeps its connection
        ByteSource body = upgrade ? connection
                : new ResponseBodySource(connection, head, headRequest, reusable -> connection.close());
        synchronized (this) {
            if (reset) {
                connection.abort();
                return;
            }
            service = body;
            // a plain answer's framing was the service connection's (a chunked body crosses de-chunked):
            // its hop-by-hop headers go no further
            tunnel.accept(ByteBuffer.wrap(upgrade ? head.bytes() : HopByHop.forward(head).bytes()));
        }
        body.receive(new ByteReceiver() {
            @Override
            public void onBytes(ByteBuffer bytes) {
                if (!tunnel.write(bytes)) {
                    body.pause();
                    if (tunnel.hasRoom()) {
                        body.resume();
                    }
                }
            }

            @Override
            public void onEnd() {
                tunnel.end();
            }

            @Override
            public void onClosed(boolean abnormal) {
                if (abnormal) {
                    tunnel.reset(ResetCode.CANCEL, "service connection reset");
                }
            }
        });
    }

    @Override
    public void onWritable(TunnelStream stream) {
        ByteSource body;
        synchronized (this) {
            body = service;
        }
        if (body != null) {
            body.resume();
        }
    }

    @Override
    public void onData(TunnelStream stream, ByteBuffer bytes) {
        CreditedSink target;
        synchronized (this) {
            target = sink;
            if (target == null) {
                early.add(bytes);
                return;
            }
        }
        target.write(bytes);
    }

    /**
     * The browser's side is done. A WebSocket's connection is half-closed; a plain request's is
     * not, as a service may take a half-close for a cancelled request (its body has a length).
     */
    @Override
    public void onEnd(TunnelStream stream) {
        CreditedSink target;
        synchronized (this) {
            ended = true;
            target = sink;
        }
        if (target != null && upgrade) {
            target.sink().end();
        }
    }

    @Override
    public void onReset(TunnelStream stream, ResetCode code, String reason) {
        CreditedSink target;
        synchronized (this) {
            reset = true;
            early.clear();
            target = sink;
        }
        if (target != null) {
            target.sink().abort();
        }
    }
}
