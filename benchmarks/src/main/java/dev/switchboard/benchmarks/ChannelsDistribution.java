package dev.switchboard.benchmarks;

import dev.switchboard.channels.internal.ChannelsServer;
import dev.switchboard.channels.internal.ChannelsSettings;
import dev.switchboard.transport.ServerSpec;
import dev.switchboard.transport.WebSocketServer;
import dev.switchboard.transport.internal.TyrusTransport;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Switchboard's channels server in a JVM of its own, for {@code channels-fanout.sh}: the same
 * {@link ChannelsServer} the adapter runs, on {@code new TyrusTransport()}, with the built-in
 * {@code chat:<room>} handler. A second port answers {@code GET /_heap} with the heap in use after
 * a full GC, so the driver can measure the heap each idle connection costs.
 *
 * <p>Prints {@code {"ready":true,"port":N,"statsPort":M,"pid":P}} once listening.
 * Arguments: {@code [maxConnections]} (default 20000).
 */
public final class ChannelsBenchServer {

    private ChannelsBenchServer() {
    }

    public static void main(String[] args) throws Exception {
        int max = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        TyrusTransport transport = new TyrusTransport();
        ChannelsServer channels = new ChannelsServer(transport,
                ChannelsSettings.defaults("bench").withMaxConnections(max), null);
        channels.start();
        WebSocketServer stats = transport.listen(ServerSpec.builder("bench-stats").pingInterval(Duration.ZERO).build());
        stats.addHttp("/_heap", (request, response) -> {
            long heap = heapAfterGc();
            String body = "{\"connections\":" + channels.connectionCount() + ",\"heapUsedBytes\":" + heap + "}";
            response.send(200, "application/json", body.getBytes(StandardCharsets.UTF_8));
        });
        System.out.println("{\"ready\":true,\"port\":" + channels.port() + ",\"statsPort\":" + stats.port()
                + ",\"pid\":" + ProcessHandle.current().pid() + "}");
        System.out.flush();
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            channels.stop();
            transport.close();
            stop.countDown();
        }));
        stop.await();
    }

    /** Heap in use once garbage is gone: two full collections, as one may leave finalizable objects. */
    private static long heapAfterGc() {
        for (int i = 0; i < 2; i++) {
            System.gc();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
