package dev.switchboard.relay.internal;

import dev.switchboard.transport.ByteSink;
import dev.switchboard.transport.ByteStream;
import dev.switchboard.transport.HopByHop;
import dev.switchboard.transport.HttpHeader;
import dev.switchboard.transport.RequestHead;
import dev.switchboard.transport.ResponseBodySource;
import dev.switchboard.transport.ResponseHead;
import dev.switchboard.transport.Splice;
import dev.switchboard.transport.StreamResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One request the relay server forwarded, on the client side: sent to the local service on a kept
 * connection of {@link LocalConnections} (HTTP/1.1) or one of its own (anything older, which gets
 * {@code Connection: close}), its response sent back over the control channel. The connection goes
 * back to the pool only after a complete response, framed by length or chunks, to a request whose
 * body went out whole, with nothing unusual ({@code Connection: close}, HTTP/1.0, an abort). An
 * upgrade the service accepts gets a data connection to the relay, spliced to the service's
 * connection of its own.
 */
final class LocalCall {

    /** A local service this slow to answer is the relay server's timeout's business. */
    private static final Duration LOCAL_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration UPGRADE_TIMEOUT = Duration.ofSeconds(10);
    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
    /** Methods sent again on a new connection when a kept one turns out closed (RFC 9110 §9.2.2), if bodiless. */
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE");

    private final long id;
    private final RelayClient client;
    // the request body: frames wait here until the local connection is open (at most a window)
    private final ArrayDeque<ByteBuffer> early = new ArrayDeque<>();
    private boolean bodyEnded;
    private BodyWriter requestBody;
    private RelayCodec.BodyFraming framing = RelayCodec.BodyFraming.NONE;
    private boolean keepAlive;
    private volatile BodySender responseBody;
    // guarded by this
    private ByteStream localStream;
    private boolean aborted;
    /** A kept connection whose response ended before the request body's END came: it goes back on END. */
    private ByteStream keptUntilEnd;
    private boolean responseSent;

    LocalCall(long id, RelayClient client) {
        this.id = id;
        this.client = client;
    }

    void request(RequestHead head, RelayCodec.BodyFraming framing) {
        List<HttpHeader> headers = new ArrayList<>(head.headers());
        // the relay server answered the browser's "Expect: 100-continue" already; the service's own
        // interim 100 would come back here as if it were the response
        headers.removeIf(header -> header.name().equalsIgnoreCase("Expect"));
        synchronized (this) {
            this.framing = framing;
            keepAlive = "HTTP/1.1".equals(head.version());
        }
        if (!keepAlive) {
            headers.add(new HttpHeader("Connection", "close"));
        }
        boolean chunked = framing == RelayCodec.BodyFraming.CHUNKED;
        if (chunked) {
            headers.add(new HttpHeader("Transfer-Encoding", "chunked"));
        }
        boolean repeatable = framing == RelayCodec.BodyFraming.NONE && IDEMPOTENT.contains(head.method());
        client.localConnections().send(head.withHeaders(headers), LOCAL_TIMEOUT,
                        sink -> bodyTo(chunked ? chunking(sink) : withoutHalfClose(sink)), repeatable)
                .whenComplete((response, error) -> {
                    if (error != null) {
                        refused(error);
                    } else {
                        respond(response, "HEAD".equals(head.method()));
                    }
                });
    }

    void upgrade(String connectionId, RequestHead head) {
        client.transport().openStream(client.settings().localAddress(), head, UPGRADE_TIMEOUT)
                .whenComplete((response, error) -> {
                    if (error != null) {
                        refused(error);
                    } else if (response.head().status() != 101) {
                        respond(response, false);
                    } else {
                        openData(connectionId, response);
                    }
                });
    }

    /** The data connection for an accepted upgrade, authenticated and carrying the service's 101 head. */
    private void openData(String connectionId, StreamResponse local) {
        RelayClient.Settings settings = client.settings();
        RequestHead data = new RequestHead("GET", RelayServer.DATA_PREFIX + connectionId, "HTTP/1.1", List.of(
                new HttpHeader("Host", settings.relayUrl().getAuthority()),
                new HttpHeader("Connection", "Upgrade"),
                new HttpHeader("Upgrade", "switchboard-relay"),
                new HttpHeader("Authorization", "Bearer " + settings.token()),
                new HttpHeader("Relay-Tunnel", settings.tunnel()),
                new HttpHeader("Relay-Response", Base64.getEncoder().encodeToString(local.head().bytes()))));
        client.transport().openStream(settings.relayAddress(), data, UPGRADE_TIMEOUT).whenComplete((relay, error) -> {
            client.ended(this);
            if (error != null || relay.head().status() != 101) {
                local.stream().abort();
                if (relay != null) {
                    relay.stream().close();
                }
                return;
            }
            client.spliced(Splice.join(relay.stream(), local.stream(), (splice, reset) -> client.unspliced(splice)));
        });
    }

    private void respond(StreamResponse response, boolean headRequest) {
        BodySender sender = new BodySender(id, new ResponseBodySource(response.stream(), response.head(), headRequest,
                reusable -> responded(response, reusable)), client, HopByHop.forward(response.head()),
                this::responseSent, () -> {
                    client.sendText(RelayCodec.abort(id, "the local service broke off"));
                    client.ended(this);
                });
        responseBody = sender;
        boolean wanted;
        synchronized (this) {
            wanted = !aborted;
            if (wanted) {
                localStream = response.stream();
            }
        }
        if (!wanted) {
            response.stream().abort();
            return;
        }
        sender.start();
    }

    /**
     * The response's body ended: its connection goes back to the pool, or is closed. A service may
     * answer as soon as it has read the body, before the END frame reached this side: then it goes
     * back on that END (every byte of the body was written before it).
     */
    private void responded(StreamResponse response, boolean reusable) {
        boolean keep;
        synchronized (this) {
            keep = reusable && keepAlive && !aborted && localStream != null && persistent(response.head());
            localStream = null;
            if (keep && framing != RelayCodec.BodyFraming.NONE && !bodyEnded) {
                keptUntilEnd = response.stream();
                return;
            }
        }
        if (keep) {
            client.localConnections().giveBack(response.stream());
        } else {
            response.stream().close();
        }
    }

    /**
     * The response's END went out. The call is done once the request body ended too: until then it
     * stays known, so the body's last frames still reach the service and its END (or an abort) the
     * connection kept for it.
     */
    private void responseSent() {
        boolean done;
        synchronized (this) {
            responseSent = true;
            done = framing == RelayCodec.BodyFraming.NONE || bodyEnded || aborted;
        }
        if (done) {
            client.ended(this);
        }
    }

    /** An HTTP/1.1 response that does not ask to close (nor switches protocols). */
    private static boolean persistent(ResponseHead head) {
        return "HTTP/1.1".equals(head.version()) && head.status() != 101 && head.header("Connection")
                .map(value -> !value.toLowerCase(Locale.ROOT).contains("close")).orElse(true);
    }

    private void refused(Throwable error) {
        byte[] page = ("The tunnel's local service cannot be reached: " + error.getMessage() + "\n")
                .getBytes(StandardCharsets.UTF_8);
        client.sendBinary(RelayCodec.response(id, ResponseHead.of(502, "Bad Gateway", List.of(
                new HttpHeader("Content-Type", "text/plain; charset=utf-8"),
                new HttpHeader("Content-Length", Integer.toString(page.length)))), ByteBuffer.wrap(page)));
        client.ended(this);
    }

    // --- the request body --------------------------------------------------------------------------

    /**
     * The body's bytes go to the service in the order they came: what arrived before the service
     * connected is written first, under the lock the later frames take too, so none overtakes it
     * (a frame arriving while the early ones were still being written once did, and a 1 GB upload
     * arrived at its length with bytes out of order).
     */
    private void bodyTo(ByteSink sink) {
        BodyWriter writer = new BodyWriter(sink, bytes -> client.sendText(RelayCodec.ack(id, bytes)));
        synchronized (this) {
            early.forEach(writer::data);
            early.clear();
            requestBody = writer;
            if (bodyEnded) {
                writer.end();
            }
        }
    }

    synchronized void data(ByteBuffer payload) {
        if (requestBody == null) {
            early.add(payload);
        } else {
            requestBody.data(payload);
        }
    }

    void end() {
        ByteStream kept;
        boolean done;
        synchronized (this) {
            bodyEnded = true;
            if (requestBody != null) {
                requestBody.end();
            }
            kept = keptUntilEnd;
            keptUntilEnd = null;
            done = responseSent;
        }
        if (kept != null) {
            client.localConnections().giveBack(kept);
        }
        if (done) {
            client.ended(this);
        }
    }

    void acked(long bytes) {
        BodySender sender = responseBody;
        if (sender != null) {
            sender.acked(bytes);
        }
    }

    /** The relay gave up on this request (browser gone, control channel lost). */
    void abort() {
        ByteStream stream;
        ByteStream kept;
        synchronized (this) {
            aborted = true;
            stream = localStream;
            localStream = null;
            kept = keptUntilEnd;
            keptUntilEnd = null;
        }
        if (stream != null) {
            stream.abort();
        }
        if (kept != null) {
            kept.close();
        }
        client.ended(this);
    }

    /** The request body as a chunked stream; its end is the last chunk (no half-close: some servers take it for a hang-up). */
    private static ByteSink chunking(ByteSink sink) {
        return new ByteSink() {
            @Override
            public boolean write(ByteBuffer bytes) {
                return sink.write(ResponseBodySource.chunk(bytes));
            }

            @Override
            public void whenWritable(Runnable task) {
                sink.whenWritable(task);
            }

            @Override
            public void end() {
                sink.write(ByteBuffer.wrap(LAST_CHUNK));
            }

            @Override
            public void abort() {
                sink.abort();
            }
        };
    }

    private static ByteSink withoutHalfClose(ByteSink sink) {
        return new ByteSink() {
            @Override
            public boolean write(ByteBuffer bytes) {
                return sink.write(bytes);
            }

            @Override
            public void whenWritable(Runnable task) {
                sink.whenWritable(task);
            }

            @Override
            public void end() {
            }

            @Override
            public void abort() {
                sink.abort();
            }
        };
    }
}
