package dev.switchboard.proxy.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP link to {@code port} that can be cut at once, as a killed process or a pulled cable cuts
 * it: every connection is reset, nobody sends a close frame.
 */
final class CuttableLink implements AutoCloseable {

    private final ServerSocket listener;
    private final int target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    CuttableLink(int target) throws IOException {
        this.target = target;
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        daemon(this::accept);
    }

    int port() {
        return listener.getLocalPort();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket near = listener.accept();
                Socket far = new Socket(InetAddress.getLoopbackAddress(), target);
                sockets.add(near);
                sockets.add(far);
                daemon(() -> pipe(near, far));
                daemon(() -> pipe(far, near));
            } catch (IOException e) {
                // closed
            }
        }
    }

    private static void pipe(Socket from, Socket to) {
        byte[] buffer = new byte[65_536];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            // cut
        }
    }

    /** Resets every connection through the link (new ones are still taken). */
    void cut() throws IOException {
        for (Socket socket : sockets) {
            if (socket.isClosed()) {
                continue; // a pipe that ended (an earlier connection, closed from its other side) closed it
            }
            try {
                socket.setSoLinger(true, 0);
            } catch (java.net.SocketException closedMeanwhile) {
                // closed by its pipe between the check and here: nothing left to reset
            }
            socket.close();
        }
        sockets.clear();
    }

    private static void daemon(Runnable task) {
        Thread thread = new Thread(task, "cuttable-link");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() throws IOException {
        listener.close();
        cut();
    }
}
