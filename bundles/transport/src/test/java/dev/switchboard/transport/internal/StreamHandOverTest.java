package dev.switchboard.transport.internal;

import static dev.switchboard.transport.internal.StreamFixture.readHead;
import static java.nio.charset.StandardCharsets.ISO_8859_1;

import dev.switchboard.transport.ByteReceiver;
import dev.switchboard.transport.ByteStream;
import dev.switchboard.transport.HttpHeader;
import dev.switchboard.transport.RequestHead;
import dev.switchboard.transport.StreamResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A receiver that ends its turn inside the delivery of the bytes read with a response head, as a
 * keep-alive pool does when the whole response came in one read: it releases the stream and
 * hands it to the next receiver from within {@code onBytes}.
 */
class StreamHandOverTest {

    private final StreamFixture fixture = new StreamFixture();

    @AfterEach
    void close() throws Exception {
        fixture.close();
    }

    @Test
    void aReceiverHandingTheStreamOnInsideTheFirstBytesThrowsNothingAndTheNextOneGetsWhatFollows() throws Exception {
        StreamFixture.Backend backend = fixture.backend(socket -> {
            try {
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream();
                readHead(in);
                // head and body in one write: the client reads them in one go
                out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(ISO_8859_1));
                in.readNBytes(4);
                out.write("late".getBytes(ISO_8859_1));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        RequestHead get = new RequestHead("GET", "/", "HTTP/1.1", List.of(new HttpHeader("Host", "backend")));
        StreamResponse response = fixture.transport.openStream(backend.address(), get, Duration.ofSeconds(10))
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        ByteStream stream = response.stream();
        StringBuilder next = new StringBuilder();
        ByteReceiver after = receiver(next);
        StringBuilder body = new StringBuilder();

        // before the fix: IllegalStateException "already has a receiver", once per such response
        stream.receive(new ByteReceiver() {
            @Override
            public void onBytes(ByteBuffer bytes) {
                synchronized (body) {
                    body.append(ISO_8859_1.decode(bytes));
                }
                stream.release();
                stream.receive(after);
            }
        });
        Await.until("the body arrives", () -> {
            synchronized (body) {
                return body.toString().equals("ok");
            }
        });

        stream.write(ByteBuffer.wrap("more".getBytes(ISO_8859_1)));
        Await.until("the next receiver gets the bytes that follow", () -> {
            synchronized (next) {
                return next.toString().equals("late");
            }
        });
        stream.close();
    }

    private static ByteReceiver receiver(StringBuilder into) {
        return new ByteReceiver() {
            @Override
            public void onBytes(ByteBuffer bytes) {
                synchronized (into) {
                    into.append(ISO_8859_1.decode(bytes));
                }
            }
        };
    }
}
