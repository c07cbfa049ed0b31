package dev.switchboard.transport.internal;

import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import org.glassfish.tyrus.core.TyrusWebSocketEngine;
import org.glassfish.tyrus.server.TyrusServerContainer;
import org.glassfish.tyrus.spi.WebSocketEngine;

/**
 * The Tyrus side of one {@link TyrusServer}: its own WebSocket engine, plugged into a Grizzly
 * listener we build ourselves (see {@link TyrusInternals#webSocketAddOns}). Tyrus 2.2's
 * GrizzlyServerContainer always binds 0.0.0.0 (DESIGN pitfall 1), so it is not used.
 */
final class HostBoundContainer extends TyrusServerContainer {

    /** Where the engine's endpoints and Tyrus's add-on meet. */
    static final String CONTEXT_PATH = "/";

    private final TyrusWebSocketEngine engine;
    private final SessionScheduler scheduler;

    /** @param threads the name of the server's threads, which its session scheduler's thread extends */
    HostBoundContainer(int frameBufferSize, String threads) {
        super((Set<Class<?>>) Set.<Class<?>>of());
        this.scheduler = new SessionScheduler(threads + "-sessions");
        this.engine = TyrusWebSocketEngine.builder(this).incomingBufferSize(frameBufferSize).build();
    }

    /** Tyrus's sessions schedule on this, without a wake-up per received message. */
    @Override
    public ScheduledExecutorService getScheduledExecutorService() {
        return scheduler;
    }

    SessionScheduler sessionScheduler() {
        return scheduler;
    }

    @Override
    public void stop() {
        try {
            super.stop();
        } finally {
            scheduler.shutdownNow();
        }
    }

    /** Endpoints go straight to the engine, which accepts them before and after the listener starts. */
    @Override
    public void register(ServerEndpointConfig config) throws DeploymentException {
        engine.register(config, CONTEXT_PATH);
    }

    @Override
    public void register(Class<?> endpointClass) throws DeploymentException {
        engine.register(endpointClass, CONTEXT_PATH);
    }

    @Override
    public WebSocketEngine getWebSocketEngine() {
        return engine;
    }
}
