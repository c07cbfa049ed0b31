package dev.switchboard.transport;

import java.io.IOException;

/** Answers plain HTTP requests on a {@link WebSocketServer} route. Called on a server worker thread. */
@FunctionalInterface
public interface HttpHandler {

    /** Writes the response; an exception becomes a 500 and a log line. */
    void handle(HttpRequest request, HttpResponse response) throws IOException;
}
