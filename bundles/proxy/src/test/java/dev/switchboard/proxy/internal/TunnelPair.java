package dev.switchboard.proxy.internal;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A controller-side and an agent-side {@link Tunnel} joined in memory: each message is copied and
 * handed to the other side on that direction's own thread, in order, as a WebSocket would.
 */
final class TunnelPair implements AutoCloseable {

    static final int WINDOW = 65_536;
    static final int MAX_FRAME = 16_384;

    final Tunnel controller;
    final Tunnel agent;
    volatile int closeCode;
    volatile String closeReason;
    private final ExecutorService toAgent = Executors.newSingleThreadExecutor();
    private final ExecutorService toController = Executors.newSingleThreadExecutor();

    TunnelPair(Tunnel.Acceptor acceptor) {
        Tunnel[] agentSide = new Tunnel[1];
        Tunnel[] controllerSide = new Tunnel[1];
        controller = new Tunnel("controller", output(toAgent, agentSide), WINDOW, MAX_FRAME, WINDOW, MAX_FRAME, null,
                new java.util.concurrent.atomic.AtomicInteger()::incrementAndGet);
        agent = new Tunnel("agent", output(toController, controllerSide), WINDOW, MAX_FRAME, WINDOW, MAX_FRAME,
                acceptor, null);
        agentSide[0] = agent;
        controllerSide[0] = controller;
    }

    private TunnelOutput output(ExecutorService direction, Tunnel[] peer) {
        return new TunnelOutput() {
            @Override
            public CompletionStage<Void> send(List<ByteBuffer> parts) {
                ByteBuffer copy = ByteBuffer.allocate(parts.stream().mapToInt(ByteBuffer::remaining).sum());
                parts.forEach(part -> copy.put(part.duplicate()));
                copy.flip();
                return CompletableFuture.runAsync(() -> peer[0].receive(copy), direction);
            }

            @Override
            public void close(int code, String reason) {
                closeCode = code;
                closeReason = reason;
                direction.execute(() -> peer[0].lost("peer closed: " + code + " " + reason));
            }
        };
    }

    /** Hands raw bytes to the agent side as if the controller had sent them. */
    void toAgent(ByteBuffer message) throws Exception {
        toAgent.submit(() -> agent.receive(message)).get();
    }

    @Override
    public void close() {
        toAgent.shutdownNow();
        toController.shutdownNow();
    }
}
