package dev.switchboard.itests.peers.web;

import dev.switchboard.transport.HttpRequest;
import dev.switchboard.transport.HttpResponse;
import dev.switchboard.transport.ServerSpec;
import dev.switchboard.transport.WebSocketConnection;
import dev.switchboard.transport.WebSocketHandler;
import dev.switchboard.transport.WebSocketServer;
import dev.switchboard.transport.WebSocketTransport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A local web app, as a tunnel exposes one: a real Tyrus-on-Grizzly server (the transport's) on
 * 127.0.0.1, an ephemeral port, that serves HTTP and WebSockets on one port as a web app does:
 * <ul>
 * <li>{@code /echo}: a WebSocket echo of text and binary messages; the text {@code close:<code>}
 * makes it close with that code and the reason "asked to";</li>
 * <li>{@code /}: a page whose script opens a WebSocket back to the host it was loaded from
 * ({@code location.host}, so through whatever tunnel served it), sends a text and four bytes and
 * writes the echoes into the DOM ({@code #state}, {@code #echo}, {@code #binary}, the extensions
 * agreed in {@code #extensions} and the Host header the service saw in {@code #host});</li>
 * <li>any other path: {@code 200 text/plain} "hello &lt;method&gt; &lt;path&gt;".</li>
 * </ul>
 */
public final class EchoService implements AutoCloseable {

    public static final String PAGE = """
            <!doctype html>
            <html><head><meta charset="utf-8"><title>Echo through a tunnel</title>
            <style>body{font-family:sans-serif;margin:2em} .v{font-family:monospace;background:#eef;padding:2px 6px}</style>
            </head><body>
            <h1>Echo through a tunnel</h1>
            <p>Host header the service saw: <span class="v" id="host">%s</span></p>
            <p>WebSocket: <span class="v" id="state">connecting</span></p>
            <p>Extensions agreed with the service: <span class="v" id="extensions"></span></p>
            <p>Text echo: <span class="v" id="echo"></span></p>
            <p>Binary echo: <span class="v" id="binary"></span></p>
            <script>
              const ws = new WebSocket('ws://' + location.host + '/echo');
              ws.binaryType = 'arraybuffer';
              const show = (id, text) => { document.getElementById(id).textContent = text; };
              ws.onopen = () => {
                show('state', 'open');
                show('extensions', ws.extensions);
                ws.send('hello from ' + location.host);
                ws.send(new Uint8Array([1, 2, 3, 250]).buffer);
              };
              ws.onmessage = (e) => typeof e.data === 'string'
                ? show('echo', e.data) : show('binary', Array.from(new Uint8Array(e.data)).join(','));
              ws.onerror = () => show('state', 'error');
              ws.onclose = (e) => show('state', 'closed ' + e.code);
            </script>
            </body></html>
            """;

    private final WebSocketServer server;

    public EchoService(WebSocketTransport transport) throws IOException {
        server = transport.listen(ServerSpec.builder("echo-service").build());
        server.addWebSocket("/echo", new WebSocketHandler() {
            @Override
            public void onText(WebSocketConnection connection, String text) {
                if (text.startsWith("close:")) {
                    connection.close(Integer.parseInt(text.substring("close:".length())), "asked to");
                } else {
                    connection.sendText(text);
                }
            }

            @Override
            public void onBinary(WebSocketConnection connection, ByteBuffer data) {
                connection.sendBinary(data);
            }
        });
        server.addHttp("/", this::http);
    }

    public int port() {
        return server.port();
    }

    /** http://127.0.0.1:&lt;port&gt;, what a relay client's localUrl or an agent's service names. */
    public String url() {
        return "http://127.0.0.1:" + port();
    }

    private void http(HttpRequest request, HttpResponse response) throws IOException {
        if (request.path().equals("/")) {
            String host = request.header("Host").orElse("");
            response.header("Cache-Control", "no-store");
            response.send(200, "text/html; charset=utf-8", PAGE.formatted(escape(host)).getBytes(StandardCharsets.UTF_8));
        } else {
            response.send(200, "text/plain; charset=utf-8",
                    ("hello " + request.method() + " " + request.path()).getBytes(StandardCharsets.UTF_8));
        }
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    @Override
    public void close() {
        server.close();
    }
}
