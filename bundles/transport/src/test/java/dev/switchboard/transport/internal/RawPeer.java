package dev.switchboard.transport.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A misbehaving peer on a raw socket: it either accepts TCP and never answers the handshake, or
 * answers it by hand (HTTP 101) and then goes silent, reading nothing and answering no ping. Its
 * static helpers are the client side: an upgrade by hand, frames written and read as bytes, so a
 * test sees exactly what is on the wire.
 */
final class RawPeer implements AutoCloseable {

    enum Behaviour { NEVER_HANDSHAKE, HANDSHAKE_THEN_SILENT }

    private final ServerSocket server;
    private final Behaviour behaviour;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    final AtomicInteger accepted = new AtomicInteger();
    private final Thread acceptor;

    RawPeer(Behaviour behaviour) throws IOException {
        this.behaviour = behaviour;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "test-raw-peer");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    URI uri() {
        return URI.create("ws://127.0.0.1:" + server.getLocalPort() + "/raw");
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                sockets.add(socket);
                accepted.incrementAndGet();
                if (behaviour == Behaviour.HANDSHAKE_THEN_SILENT) {
                    answerHandshake(socket);
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    /** Reads a client's upgrade request and answers it with 101 by hand. */
    static void answerHandshake(Socket socket) throws IOException {
        String key = null;
        for (String line : readHead(socket.getInputStream()).split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("sec-websocket-key:")) {
                key = line.substring(line.indexOf(':') + 1).trim();
            }
        }
        OutputStream out = socket.getOutputStream();
        out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + accept(key) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Reads an HTTP head up to the blank line, byte by byte so no frame byte is consumed. */
    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("peer closed during the handshake");
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    static String accept(String key) {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1").digest(
                    (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A client that completes the upgrade by hand and then never reads: the slowest consumer. */
    static Socket silentClient(int port, String path) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setReceiveBufferSize(4096);
        return upgrade(socket, port, path);
    }

    /** A client that completes the upgrade by hand, to write frames and read the server's from the wire. */
    static Socket client(int port, String path) throws IOException {
        return upgrade(new Socket(InetAddress.getLoopbackAddress(), port), port, path);
    }

    private static Socket upgrade(Socket socket, int port, String path) throws IOException {
        String key = Base64.getEncoder().encodeToString("0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key
                + "\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        String head = readHead(socket.getInputStream());
        if (!head.startsWith("HTTP/1.1 101")) {
            throw new IOException("upgrade refused: " + head.lines().findFirst().orElse(""));
        }
        return socket;
    }

    /** A client frame header, the last of its message, masked with a zero key so the payload goes as it is. */
    static byte[] frameHeader(int opcode, long length) {
        return frameHeader(true, opcode, length);
    }

    /** As {@link #frameHeader(int, long)}, {@code fin} false for a fragment that more follow. */
    static byte[] frameHeader(boolean fin, int opcode, long length) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write((fin ? 0x80 : 0) | opcode);
        if (length < 126) {
            out.write(0x80 | (int) length);
        } else if (length <= 0xFFFF) {
            out.write(0x80 | 126);
            out.write((int) (length >>> 8));
            out.write((int) length & 0xFF);
        } else {
            out.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) (length >>> shift) & 0xFF);
            }
        }
        out.writeBytes(new byte[4]);
        return out.toByteArray();
    }

    /** A server's close frame as read from the wire. */
    record Close(int code, String reason) {
    }

    /** A server's frame (unmasked) as read from the wire. */
    record Frame(int opcode, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    /** Reads the next server frame; null when the stream ends first. */
    static Frame readFrame(InputStream in) throws IOException {
        int first = in.read();
        int second = in.read();
        if (first < 0 || second < 0) {
            return null;
        }
        long length = second & 0x7F;
        if (length >= 126) {
            int bytes = length == 126 ? 2 : 8;
            length = 0;
            for (int i = 0; i < bytes; i++) {
                length = (length << 8) | in.read();
            }
        }
        return new Frame(first & 0x0F, in.readNBytes((int) length));
    }

    /** Reads server frames (unmasked) up to the close frame; null when the stream ends first. */
    static Close readClose(InputStream in) throws IOException {
        while (true) {
            Frame frame = readFrame(in);
            if (frame == null) {
                return null;
            }
            byte[] payload = frame.payload();
            if (frame.opcode() == 0x8) {
                return payload.length < 2 ? new Close(1005, "")
                        : new Close(((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF),
                                new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8));
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : sockets) {
            socket.close();
        }
    }
}
