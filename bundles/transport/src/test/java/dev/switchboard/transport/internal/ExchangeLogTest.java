package dev.switchboard.transport.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.transport.ByteReceiver;
import dev.switchboard.transport.ByteSink;
import dev.switchboard.transport.ByteStream;
import dev.switchboard.transport.ExchangeLog;
import dev.switchboard.transport.HttpHeader;
import dev.switchboard.transport.ServerSpec;
import dev.switchboard.transport.StreamExchange;
import dev.switchboard.transport.WebSocketServer;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The tunnel inspector's record of real requests and WebSockets on a transport server. */
class ExchangeLogTest {

    private final TyrusTransport transport = new TyrusTransport();
    private final ExchangeLog log = new ExchangeLog(3);

    @AfterEach
    void close() {
        transport.close();
    }

    @Test
    void aRequestIsRecordedWithoutItsCredentialsQueryOrBody() throws Exception {
        WebSocketServer server = transport.listen(ServerSpec.builder("inspected").build());
        server.addStream("/echo/", exchange -> echo(log.watch(exchange)));
        byte[] body = "a body that is never kept".getBytes(UTF_8);
        // bad inputs for an inspector: credentials in Authorization, Cookie and the query
        HttpResponse<byte[]> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/echo/x?token=secret-query"))
                        .header("Authorization", "Bearer secret-token").header("Cookie", "session=secret-cookie")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertArrayEquals(body, response.body());

        Await.until("the request is recorded as ended", () -> !log.rows().isEmpty()
                && log.rows().get(0).get(9).endsWith("ms"));
        List<String> row = log.rows().get(0);
        assertEquals(List.of("HTTP", "POST", "127.0.0.1:" + server.port(), "/echo/x?…", "200"), row.subList(1, 6));
        assertEquals(List.of(Integer.toString(body.length), Integer.toString(body.length)), row.subList(7, 9));
        assertTrue(row.get(6).matches("\\d+"), row.toString());
        assertFalse(row.toString().contains("secret") || row.toString().contains("never kept"), row.toString());
        assertEquals(log.columns().size(), row.size());
    }

    @Test
    void aWebSocketIsOpenUntilItClosesWithItsBytesCounted() throws Exception {
        WebSocketServer server = transport.listen(ServerSpec.builder("inspected").build());
        server.addStreamFallback(exchange -> {
            ByteStream stream = log.watch(exchange).switchProtocols(List.of());
            stream.receive(new ByteReceiver() {
                @Override
                public void onBytes(ByteBuffer bytes) {
                    stream.write(bytes);
                }

                @Override
                public void onEnd() {
                    stream.close();
                }
            });
        });
        try (Socket socket = StreamFixture.upgrade(server.port(), "Cookie: session=secret-cookie\r\n",
                "ping".getBytes(UTF_8))) {
            InputStream in = socket.getInputStream();
            assertTrue(StreamFixture.readHead(in).startsWith("HTTP/1.1 101"));
            assertEquals("ping", new String(StreamFixture.readExactly(in, 4), UTF_8));
            List<String> open = log.rows().get(0);
            assertEquals(List.of("WebSocket", "GET", "app.localhost:" + server.port(), "/chat?…", "101"), open.subList(1, 6));
            assertEquals("open", open.get(9));
            socket.shutdownOutput();
            Await.until("the session is recorded as closed", () -> log.rows().get(0).get(9).endsWith("ms"));
        }
        List<String> closed = log.rows().get(0);
        assertEquals(List.of("4", "4"), closed.subList(7, 9));
        assertFalse(closed.toString().contains("secret"), closed.toString());
    }

    @Test
    void onlyTheLatestAreKeptNewestFirst() throws Exception {
        WebSocketServer server = transport.listen(ServerSpec.builder("inspected").build());
        server.addStream("/n/", exchange -> answer(log.watch(exchange)));
        HttpClient client = HttpClient.newHttpClient();
        for (int i = 1; i <= 5; i++) {
            client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/n/" + i)).build(),
                    HttpResponse.BodyHandlers.discarding());
        }
        assertEquals(List.of("/n/5", "/n/4", "/n/3"), log.rows().stream().map(row -> row.get(4)).toList());
    }

    private static void answer(StreamExchange exchange) {
        ByteSink out = exchange.respond(204, "No Content", List.of());
        out.end();
    }

    private static void echo(StreamExchange exchange) {
        ByteSink out = exchange.respond(200, "OK", List.of());
        var body = exchange.body();
        body.receive(new ByteReceiver() {
            @Override
            public void onBytes(ByteBuffer bytes) {
                out.write(bytes);
            }

            @Override
            public void onEnd() {
                out.end();
            }
        });
    }
}
