package dev.switchboard.relay.internal;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local HTTP/1.x service on loopback written on plain sockets, so a test decides every byte of
 * an answer: keep-alive or {@code Connection: close}, HTTP/1.0, no length, closing an idle
 * connection. Reads each request head and its body (Content-Length or chunked) and lets the
 * {@link Responder} answer; counts the connections it accepted.
 */
final class LocalHttpService implements AutoCloseable {

    /** One request as the service read it. */
    record Request(String method, String target, String head, byte[] body) {

        String header(String name) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }
    }

    /** Writes the answer to {@code request}; returns false to close the connection after it. */
    interface Responder {
        boolean answer(Request request, OutputStream out, Socket socket) throws IOException;
    }

    private final ServerSocket listener;
    private final Responder responder;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    final AtomicInteger accepted = new AtomicInteger();
    final AtomicInteger requests = new AtomicInteger();

    LocalHttpService(Responder responder) throws IOException {
        this.responder = responder;
        listener = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "local-http-service");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** Closes every connection the service holds open (as a service dropping idle keep-alive connections does). */
    void closeConnections() throws IOException {
        for (Socket socket : open) {
            socket.close();
        }
    }

    int openConnections() {
        return (int) open.stream().filter(s -> !s.isClosed()).count();
    }

    /** A response with a body of known length, kept alive. */
    static void ok(OutputStream out, String body) throws IOException {
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                .getBytes(ISO_8859_1));
        out.flush();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket socket = listener.accept();
                accepted.incrementAndGet();
                open.add(socket);
                Thread serving = new Thread(() -> serve(socket), "local-http-connection");
                serving.setDaemon(true);
                serving.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            while (true) {
                Request request = read(in);
                if (request == null) {
                    return;
                }
                requests.incrementAndGet();
                if (!responder.answer(request, out, socket)) {
                    return;
                }
            }
        } catch (IOException e) {
            // the peer went away
        } finally {
            open.remove(socket);
        }
    }

    private static Request read(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            matched = (b == '\r' && matched % 2 == 0) || (b == '\n' && matched % 2 == 1) ? matched + 1 : 0;
        }
        String text = head.toString(ISO_8859_1);
        String[] line = text.substring(0, text.indexOf("\r\n")).split(" ");
        Request bare = new Request(line[0], line[1], text, new byte[0]);
        String length = bare.header("Content-Length");
        String encoding = bare.header("Transfer-Encoding");
        byte[] body;
        if (length != null) {
            body = in.readNBytes(Integer.parseInt(length));
        } else if (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
            body = dechunk(in);
        } else {
            body = new byte[0];
        }
        return new Request(line[0], line[1], text, body);
    }

    /** A chunked body, read up to its last chunk and trailers. */
    static byte[] dechunk(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            int size = Integer.parseInt(line(in).split(";")[0].trim(), 16);
            if (size == 0) {
                while (!line(in).isEmpty()) {
                    // trailers
                }
                return body.toByteArray();
            }
            body.write(in.readNBytes(size));
            line(in);
        }
    }

    static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("end of stream inside a chunk line");
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    @Override
    public void close() throws IOException {
        listener.close();
        closeConnections();
    }
}
