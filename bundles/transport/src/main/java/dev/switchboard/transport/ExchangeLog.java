package dev.switchboard.transport;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The last HTTP requests and WebSocket sessions through a tunnel, as ngrok's local inspector shows
 * them: time, method, host, path, status, milliseconds to the answer, bytes each way, duration.
 * {@link #watch} wraps an exchange and records what passes; nothing of the bodies, of the query
 * string or of any header but {@code Host} is kept, so no credential ({@code Authorization},
 * {@code Cookie}, a token in a query) ends up in a console. Bounded; thread-safe.
 */
public final class ExchangeLog {

    /** What {@link #rows} holds at most, unless told otherwise. */
    public static final int KEPT = 100;

    private static final List<String> COLUMNS =
            List.of("time", "type", "method", "host", "path", "status", "ms", "bytes in", "bytes out", "duration");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    private final int kept;
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();

    public ExchangeLog() {
        this(KEPT);
    }

    public ExchangeLog(int kept) {
        this.kept = kept;
    }

    /** Records {@code exchange}: hand the returned one to the code that answers it. */
    public StreamExchange watch(StreamExchange exchange) {
        Entry entry = new Entry(exchange.request(), exchange.isUpgrade());
        synchronized (entries) {
            entries.addFirst(entry);
            while (entries.size() > kept) {
                entries.removeLast();
            }
        }
        return new Watched(exchange, entry);
    }

    /** The column headings of {@link #rows}. */
    public List<String> columns() {
        return COLUMNS;
    }

    /** One row per request or session, newest first, as text. */
    public List<List<String>> rows() {
        List<Entry> copy;
        synchronized (entries) {
            copy = new ArrayList<>(entries);
        }
        return copy.stream().map(Entry::row).toList();
    }

    /** One request or session; written by the exchange's threads, read by the console's. */
    private static final class Entry {
        final Instant at = Instant.now();
        final long startNanos = System.nanoTime();
        final boolean webSocket;
        final String method;
        final String host;
        final String path;
        final LongAdder bytesIn = new LongAdder();
        final LongAdder bytesOut = new LongAdder();
        final AtomicBoolean ended = new AtomicBoolean();
        volatile int status;
        volatile long answerNanos = -1;
        volatile long endNanos = -1;
        volatile String outcome = "";

        Entry(RequestHead head, boolean webSocket) {
            this.webSocket = webSocket;
            this.method = head.method();
            this.host = head.header("Host").orElse("");
            // the query may carry a token: only that there was one is shown
            this.path = head.path() + (head.target().contains("?") ? "?…" : "");
        }

        void answered(int code) {
            status = code;
            answerNanos = System.nanoTime();
        }

        void end(String how) {
            if (ended.compareAndSet(false, true)) {
                outcome = how;
                endNanos = System.nanoTime();
            }
        }

        List<String> row() {
            long answer = answerNanos;
            long end = endNanos;
            String duration = end < 0 ? (webSocket && status == 101 ? "open" : "…")
                    : millis(end - startNanos) + " ms" + (outcome.isEmpty() ? "" : " (" + outcome + ")");
            return List.of(TIME.format(at), webSocket ? "WebSocket" : "HTTP", method, host, path,
                    status == 0 ? "" : Integer.toString(status), answer < 0 ? "" : Long.toString(millis(answer - startNanos)),
                    Long.toString(bytesIn.sum()), Long.toString(bytesOut.sum()), duration);
        }

        private static long millis(long nanos) {
            return nanos / 1_000_000;
        }
    }

    /** The exchange as its handler sees it, every answer and byte noted on the way. */
    private record Watched(StreamExchange exchange, Entry entry) implements StreamExchange {

        @Override
        public RequestHead request() {
            return exchange.request();
        }

        @Override
        public InetSocketAddress remoteAddress() {
            return exchange.remoteAddress();
        }

        @Override
        public boolean isUpgrade() {
            return exchange.isUpgrade();
        }

        @Override
        public ByteSource body() {
            ByteSource body = exchange.body();
            return new ByteSource() {
                @Override
                public void receive(ByteReceiver receiver) {
                    body.receive(counting(receiver, entry.bytesIn, reset -> { }));
                }

                @Override
                public void pause() {
                    body.pause();
                }

                @Override
                public void resume() {
                    body.resume();
                }
            };
        }

        @Override
        public ByteSink respond(int status, String reason, List<HttpHeader> headers) {
            ByteSink sink = exchange.respond(status, reason, headers);
            entry.answered(status);
            return new ByteSink() {
                @Override
                public boolean write(ByteBuffer bytes) {
                    entry.bytesOut.add(bytes.remaining());
                    return sink.write(bytes);
                }

                @Override
                public void whenWritable(Runnable task) {
                    sink.whenWritable(task);
                }

                @Override
                public void end() {
                    sink.end();
                    entry.end("");
                }

                @Override
                public void abort() {
                    sink.abort();
                    entry.end("aborted");
                }
            };
        }

        @Override
        public ByteStream switchProtocols(List<HttpHeader> headers) {
            ByteStream stream = exchange.switchProtocols(headers);
            entry.answered(101);
            return new WatchedStream(stream, entry);
        }

        @Override
        public void onAbort(Runnable task) {
            exchange.onAbort(() -> {
                entry.end("browser went away");
                task.run();
            });
        }
    }

    /** A WebSocket's bytes, counted by the stream itself and read when it closes. */
    private record WatchedStream(ByteStream stream, Entry entry) implements ByteStream {

        @Override
        public void receive(ByteReceiver receiver) {
            stream.receive(counting(receiver, entry.bytesIn, reset -> entry.end(reset ? "reset" : "")));
        }

        @Override
        public boolean write(ByteBuffer bytes) {
            entry.bytesOut.add(bytes.remaining());
            return stream.write(bytes);
        }

        @Override
        public void close() {
            stream.close();
            entry.end("");
        }

        @Override
        public void abort() {
            stream.abort();
            entry.end("reset");
        }

        @Override
        public void end() {
            stream.end();
        }

        @Override
        public void release() {
            stream.release();
        }

        @Override
        public void pause() {
            stream.pause();
        }

        @Override
        public void resume() {
            stream.resume();
        }

        @Override
        public void whenWritable(Runnable task) {
            stream.whenWritable(task);
        }

        @Override
        public InetSocketAddress remoteAddress() {
            return stream.remoteAddress();
        }

        @Override
        public void writeLimit(int bytes) {
            stream.writeLimit(bytes);
        }

        @Override
        public long bytesRead() {
            return stream.bytesRead();
        }

        @Override
        public long bytesWritten() {
            return stream.bytesWritten();
        }

        @Override
        public boolean isOpen() {
            return stream.isOpen();
        }
    }

    private static ByteReceiver counting(ByteReceiver receiver, LongAdder count, Consumer<Boolean> closed) {
        return new ByteReceiver() {
            @Override
            public void onBytes(ByteBuffer bytes) {
                count.add(bytes.remaining());
                receiver.onBytes(bytes);
            }

            @Override
            public void onEnd() {
                receiver.onEnd();
            }

            @Override
            public void onClosed(boolean reset) {
                closed.accept(reset);
                receiver.onClosed(reset);
            }
        };
    }
}
