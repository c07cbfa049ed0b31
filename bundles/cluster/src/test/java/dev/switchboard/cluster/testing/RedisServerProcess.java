package dev.switchboard.cluster.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real {@code redis-server} owned by one test: bound to 127.0.0.1 on a free port, its append-only
 * file in a directory of its own (so a restart keeps what it acknowledged), killed on close. A
 * missing binary skips the test on a workstation and fails it under {@code CI=true}, so a CI
 * machine without the package cannot go green silently ({@code .ci/run} installs it).
 */
public final class RedisServerProcess implements AutoCloseable {

    private final String executable;
    private final int port;
    private final Path directory;
    private final List<String> extraArgs;
    private Process process;

    private RedisServerProcess(String executable, int port, Path directory, List<String> extraArgs) {
        this.executable = executable;
        this.port = port;
        this.directory = directory;
        this.extraArgs = extraArgs;
    }

    /** Starts a server; {@code extraArgs} such as {@code --requirepass secret}. */
    public static RedisServerProcess start(String... extraArgs) throws Exception {
        String exe = find("redis-server");
        if (exe == null) {
            String message = "redis-server not found; install it: apt-get install -y redis-server";
            if (System.getenv("CI") != null) {
                fail(message);
            }
            Assumptions.abort(message);
        }
        RedisServerProcess redis = new RedisServerProcess(exe, freePort(), Files.createTempDirectory("redis"),
                List.of(extraArgs));
        redis.startProcess();
        return redis;
    }

    public int port() {
        return port;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Kills the server at once (SIGKILL): clients see their connections drop. */
    public void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            process = null;
        }
    }

    /** Starts the killed server again on the same port, with what its append-only file kept. */
    public void restart() throws Exception {
        kill();
        startProcess();
    }

    private void startProcess() throws Exception {
        List<String> command = new ArrayList<>(List.of(executable, "--bind", "127.0.0.1", "--port",
                String.valueOf(port), "--dir", directory.toString(), "--save", "", "--appendonly", "yes",
                "--appendfsync", "always", "--protected-mode", "no"));
        command.addAll(extraArgs);
        Path log = directory.resolve("redis.log");
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                if (!process.isAlive()) {
                    break;
                }
                Thread.sleep(50);
            }
        }
        kill();
        throw new IllegalStateException("redis-server did not listen on " + port + ": " + Files.readString(log));
    }

    private static String find(String binary) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.add("/usr/bin");
        dirs.add("/usr/sbin");
        for (String dir : dirs) {
            File file = new File(dir, binary);
            if (file.canExecute()) {
                return file.getAbsolutePath();
            }
        }
        return null;
    }

    /** A port nobody listens on now. */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        kill();
        try (var files = Files.walk(directory)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}
