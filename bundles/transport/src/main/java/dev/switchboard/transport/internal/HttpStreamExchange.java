package dev.switchboard.transport.internal;

import dev.switchboard.transport.ByteReceiver;
import dev.switchboard.transport.ByteSink;
import dev.switchboard.transport.ByteSource;
import dev.switchboard.transport.ByteStream;
import dev.switchboard.transport.HttpHeader;
import dev.switchboard.transport.RequestHead;
import dev.switchboard.transport.StreamExchange;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.CloseType;
import org.glassfish.grizzly.Closeable;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.GenericCloseListener;
import org.glassfish.grizzly.ReadHandler;
import org.glassfish.grizzly.WriteHandler;
import org.glassfish.grizzly.http.HttpRequestPacket;
import org.glassfish.grizzly.http.io.InputBuffer;
import org.glassfish.grizzly.http.io.OutputBuffer;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;
import org.glassfish.grizzly.http.util.DataChunk;
import org.glassfish.grizzly.http.util.MimeHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A plain request claimed by a stream route, answered through Grizzly's suspended response, so
 * keep-alive and pipelining work as for every HTTP route. Body bytes go both ways without
 * blocking: the request body is read when Grizzly says data is there, the response body is queued
 * here while the connection's write queue is over its limit.
 */
final class HttpStreamExchange implements StreamExchange {

    private static final Logger LOG = LoggerFactory.getLogger(HttpStreamExchange.class);

    private final Request request;
    private final Response response;
    private final RequestHead head;
    private final Connection<?> connection;
    private final InetSocketAddress remote;
    private final AtomicBoolean answered = new AtomicBoolean();
    private final AtomicBoolean finished = new AtomicBoolean();
    /**
     * Resuming the response lets Grizzly recycle the request and response objects for the next
     * request of the connection. That waits for two things: the answer ended, and the route's
     * handler returned (an answer from another thread may end before it does, and the handler
     * may still read the request).
     */
    private final AtomicInteger holds = new AtomicInteger(2);
    private volatile boolean ended;
    /** The exchange's close listener, removed when it ends: a kept-alive connection carries many exchanges. */
    private volatile GenericCloseListener abortListener;

    HttpStreamExchange(Request request, Response response) {
        this.request = request;
        this.response = response;
        this.head = requestHead(request.getRequest());
        this.connection = request.getContext().getConnection();
        this.remote = new InetSocketAddress(request.getRemoteAddr(), request.getRemotePort());
        connection.setMaxAsyncWriteQueueSize(ByteSink.DEFAULT_WRITE_LIMIT);
        response.suspend();
    }

    /** The head as the client sent it: raw target, headers in order. */
    static RequestHead requestHead(HttpRequestPacket packet) {
        MimeHeaders mime = packet.getHeaders();
        List<HttpHeader> headers = new ArrayList<>(mime.size());
        for (int i = 0; i < mime.size(); i++) {
            DataChunk name = mime.getName(i);
            DataChunk value = mime.getValue(i);
            if (name != null && !name.isNull()) {
                headers.add(new HttpHeader(name.toString(), value == null || value.isNull() ? "" : value.toString()));
            }
        }
        DataChunk uri = packet.getRequestURIRef().getOriginalRequestURIBC();
        String path = uri == null || uri.isNull() ? packet.getRequestURI() : uri.toString();
        DataChunk query = packet.getQueryStringDC();
        String target = query == null || query.isNull() || query.getLength() == 0 ? path : path + "?" + query;
        return new RequestHead(packet.getMethod().getMethodString(), target, packet.getProtocolString(), headers);
    }

    @Override
    public RequestHead request() {
        return head;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public ByteSource body() {
        return new Body(request.getInputBuffer(), BodyGate.of(connection));
    }

    @Override
    public ByteSink respond(int status, String reason, List<HttpHeader> headers) {
        if (!answered.compareAndSet(false, true)) {
            throw new IllegalStateException("request " + head.path() + " already answered");
        }
        response.setStatus(status, reason);
        for (HttpHeader header : headers) {
            if (header.is("Content-Length")) {
                response.setContentLengthLong(Long.parseLong(header.value().trim()));
            } else if (!header.is("Connection") && !header.is("Transfer-Encoding")) {
                response.addHeader(header.name(), header.value());
            }
        }
        return new ResponseBody(response.getOutputBuffer());
    }

    @Override
    public ByteStream switchProtocols(List<HttpHeader> headers) {
        throw new IllegalStateException("request " + head.path() + " is no upgrade");
    }

    @Override
    public void onAbort(Runnable task) {
        GenericCloseListener listener = (Closeable closed, CloseType type) -> {
            if (!ended) {
                task.run();
            }
        };
        abortListener = listener;
        connection.addCloseListener(listener);
        if (ended) {
            connection.removeCloseListener(listener);
        }
    }

    /** The handler failed: 500 if nothing was answered yet, else the connection is dropped. */
    void failed() {
        if (answered.compareAndSet(false, true)) {
            response.setStatus(500);
            response.setContentLength(0);
            finish();
        } else {
            connection.closeSilently();
            finish();
        }
    }

    /** The route's handler returned. */
    void handled() {
        release();
    }

    /**
     * The answer ended. Its close listener leaves the connection now: left there, every request of
     * a kept-alive connection added one, holding its call, and Grizzly's own listener removal on
     * each resume walked them all (the relay's keep-alive requests slowed down as they went on).
     */
    private void finish() {
        ended = true;
        GenericCloseListener listener = abortListener;
        if (listener != null) {
            connection.removeCloseListener(listener);
        }
        BodyGate.remove(connection);
        if (finished.compareAndSet(false, true)) {
            release();
        }
    }

    private void release() {
        if (holds.decrementAndGet() == 0) {
            response.resume();
        }
    }

    /** The request body, read only when Grizzly has some and nobody paused. */
    private static final class Body implements ByteSource, ReadHandler {

        private final InputBuffer input;
        private final BodyGate gate;
        private ByteReceiver receiver;
        private boolean paused;
        private boolean waiting;

        Body(InputBuffer input, BodyGate gate) {
            this.input = input;
            this.gate = gate;
        }

        @Override
        public void receive(ByteReceiver target) {
            synchronized (this) {
                receiver = target;
            }
            listen();
        }

        @Override
        public void pause() {
            synchronized (this) {
                paused = true;
            }
            gate.shut();
        }

        @Override
        public void resume() {
            synchronized (this) {
                paused = false;
            }
            gate.open();
            listen();
        }

        private void listen() {
            synchronized (this) {
                if (paused || waiting || receiver == null) {
                    return;
                }
                waiting = true;
            }
            input.notifyAvailable(this);
        }

        @Override
        public void onDataAvailable() {
            synchronized (this) {
                waiting = false;
            }
            deliver();
            listen();
        }

        @Override
        public void onAllDataRead() {
            deliver();
            receiver.onEnd();
        }

        @Override
        public void onError(Throwable error) {
            LOG.debug("request body failed: {}", error.toString());
            receiver.onClosed(true);
        }

        private void deliver() {
            int ready = input.readyData();
            if (ready > 0) {
                Buffer buffer = input.readBuffer(ready);
                ByteBuffer copy = ByteBuffer.allocate(buffer.remaining());
                buffer.get(copy);
                buffer.tryDispose();
                receiver.onBytes(copy.flip());
            }
        }
    }

    /** The response body; bytes over the connection's write limit wait here until it drains. */
    private final class ResponseBody implements ByteSink, WriteHandler {

        private final OutputBuffer output;
        private final ArrayDeque<ByteBuffer> queued = new ArrayDeque<>();
        private final List<Runnable> writable = new ArrayList<>();
        private boolean ending;
        private boolean notifying;

        ResponseBody(OutputBuffer output) {
            this.output = output;
        }

        @Override
        public synchronized boolean write(ByteBuffer bytes) {
            if (ended || ending) {
                return true;
            }
            if (!queued.isEmpty() || !output.canWrite()) {
                queued.add(bytes);
                waitForDrain();
                return false;
            }
            send(bytes);
            return output.canWrite();
        }

        @Override
        public void whenWritable(Runnable task) {
            synchronized (this) {
                if (!queued.isEmpty() || !output.canWrite()) {
                    writable.add(task);
                    waitForDrain();
                    return;
                }
            }
            task.run();
        }

        @Override
        public synchronized void end() {
            ending = true;
            if (queued.isEmpty()) {
                finish();
            }
        }

        @Override
        public void abort() {
            connection.closeSilently();
            synchronized (this) {
                queued.clear();
            }
            finish();
        }

        @Override
        public void onWritePossible() {
            List<Runnable> tasks;
            synchronized (this) {
                notifying = false;
                while (!queued.isEmpty() && output.canWrite()) {
                    send(queued.poll());
                }
                if (!queued.isEmpty()) {
                    waitForDrain();
                    return;
                }
                if (ending && !ended) {
                    finish();
                }
                tasks = List.copyOf(writable);
                writable.clear();
            }
            tasks.forEach(Runnable::run);
        }

        @Override
        public void onError(Throwable error) {
            LOG.debug("response body failed: {}", error.toString());
            synchronized (this) {
                queued.clear();
                notifying = false;
            }
            finish();
        }

        private void waitForDrain() {
            if (!notifying) {
                notifying = true;
                output.notifyCanWrite(this);
            }
        }

        private void send(ByteBuffer bytes) {
            try {
                output.writeByteBuffer(bytes);
                output.flush();
            } catch (IOException e) {
                LOG.debug("response body write failed: {}", e.toString());
                queued.clear();
            }
        }
    }
}
