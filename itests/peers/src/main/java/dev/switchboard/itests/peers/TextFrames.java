package dev.switchboard.itests.peers;

import java.net.http.WebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * The JDK WebSocket listener every test client uses: joins the parts of each text message and
 * hands the whole message on, and records how the connection ended (1006 on an error).
 */
public final class TextFrames implements WebSocket.Listener {

    private final Consumer<String> receiver;
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    // the JDK calls one listener method at a time, so the partial message needs no lock
    private final StringBuilder partial = new StringBuilder();

    public TextFrames(Consumer<String> receiver) {
        this.receiver = receiver;
    }

    /** The close code the peer sent, once the connection ended. */
    public CompletableFuture<Integer> closed() {
        return closed;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            receiver.accept(partial.toString());
            partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.complete(1006);
    }
}
