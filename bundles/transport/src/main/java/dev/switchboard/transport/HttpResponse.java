package dev.switchboard.transport;

import java.io.IOException;
import java.io.OutputStream;

/** The response to a {@link HttpRequest}. Set status and headers before writing the body. */
public interface HttpResponse {

    void status(int code);

    /** Adds a header (repeatable names are sent once each). */
    void header(String name, String value);

    OutputStream body() throws IOException;

    /** Sends a whole response in one call. */
    default void send(int code, String contentType, byte[] content) throws IOException {
        status(code);
        header("Content-Type", contentType);
        header("Content-Length", Integer.toString(content.length));
        try (OutputStream out = body()) {
            out.write(content);
        }
    }
}
