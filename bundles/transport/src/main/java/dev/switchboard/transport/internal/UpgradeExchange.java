package dev.switchboard.transport.internal;

import dev.switchboard.transport.ByteReceiver;
import dev.switchboard.transport.ByteSink;
import dev.switchboard.transport.ByteSource;
import dev.switchboard.transport.ByteStream;
import dev.switchboard.transport.HttpHeader;
import dev.switchboard.transport.RequestHead;
import dev.switchboard.transport.ResponseHead;
import dev.switchboard.transport.StreamExchange;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.glassfish.grizzly.CloseType;
import org.glassfish.grizzly.Closeable;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.GenericCloseListener;
import org.glassfish.grizzly.http.HttpRequestPacket;

/**
 * An upgrade request claimed by a stream route: its connection is already a
 * {@link GrizzlyByteStream}, so every answer is written raw. A refusal closes the connection after
 * its body (the bytes the client sends next are not HTTP for us).
 */
final class UpgradeExchange implements StreamExchange {

    private static final ByteSource NO_BODY = new ByteSource() {
        @Override
        public void receive(ByteReceiver receiver) {
            receiver.onEnd();
        }

        @Override
        public void pause() {
        }

        @Override
        public void resume() {
        }
    };

    private final RequestHead request;
    private final Connection<?> connection;
    private final AtomicBoolean answered = new AtomicBoolean();
    private volatile boolean ended;
    private GrizzlyByteStream stream;

    private UpgradeExchange(RequestHead request, Connection<?> connection) {
        this.request = request;
        this.connection = connection;
    }

    static UpgradeExchange of(HttpRequestPacket packet, Connection<?> connection) {
        return new UpgradeExchange(HttpStreamExchange.requestHead(packet), connection);
    }

    void attach(GrizzlyByteStream claimed) {
        this.stream = claimed;
    }

    @Override
    public RequestHead request() {
        return request;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return stream.remoteAddress();
    }

    @Override
    public ByteSource body() {
        return NO_BODY;
    }

    @Override
    public ByteSink respond(int status, String reason, List<HttpHeader> headers) {
        answer();
        List<HttpHeader> sent = new ArrayList<>(headers);
        sent.removeIf(h -> h.is("Connection"));
        sent.add(new HttpHeader("Connection", "close"));
        stream.writeRaw(ResponseHead.of(status, reason, sent).bytes());
        return new ByteSink() {
            @Override
            public boolean write(ByteBuffer bytes) {
                return stream.write(bytes);
            }

            @Override
            public void whenWritable(Runnable task) {
                stream.whenWritable(task);
            }

            @Override
            public void end() {
                ended = true;
                stream.close();
            }

            @Override
            public void abort() {
                stream.abort();
            }
        };
    }

    @Override
    public ByteStream switchProtocols(List<HttpHeader> headers) {
        answer();
        List<HttpHeader> sent = new ArrayList<>(headers);
        if (sent.stream().noneMatch(h -> h.is("Connection"))) {
            sent.add(new HttpHeader("Connection", "Upgrade"));
        }
        if (sent.stream().noneMatch(h -> h.is("Upgrade"))) {
            request.header("Upgrade").ifPresent(protocol -> sent.add(new HttpHeader("Upgrade", protocol)));
        }
        ended = true;
        stream.writeRaw(ResponseHead.of(101, "Switching Protocols", sent).bytes());
        return stream;
    }

    @Override
    public void onAbort(Runnable task) {
        connection.addCloseListener((GenericCloseListener) (Closeable closed, CloseType type) -> {
            if (!ended) {
                task.run();
            }
        });
    }

    /** The handler failed before answering: 500, else the connection is dropped. */
    void failed() {
        if (answered.get()) {
            stream.abort();
        } else {
            respond(500, "Internal Server Error", List.of(new HttpHeader("Content-Length", "0"))).end();
        }
    }

    private void answer() {
        if (!answered.compareAndSet(false, true)) {
            throw new IllegalStateException("request " + request.path() + " already answered");
        }
    }
}
