package dev.switchboard.transport.internal;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.Session;

/**
 * A Tyrus endpoint instance bound to one {@link TyrusConnection}, client or server side: the
 * subclass creates the connection on open, and close and error go to it. Public because Tyrus
 * calls these methods reflectively.
 */
public abstract class ConnectionEndpoint extends Endpoint {

    private volatile TyrusConnection connection;

    /** Creates the connection for a session that just opened; null refuses it (already closed). */
    abstract TyrusConnection open(Session session, EndpointConfig config);

    /** An error before the connection exists. */
    void failedBeforeOpen(Throwable error) {
    }

    @Override
    public final void onOpen(Session session, EndpointConfig config) {
        TyrusConnection opened = open(session, config);
        connection = opened;
        if (opened != null) {
            opened.start();
        }
    }

    @Override
    public final void onClose(Session session, CloseReason closeReason) {
        TyrusConnection ended = connection;
        if (ended != null) {
            ended.ended(closeReason);
        }
    }

    @Override
    public final void onError(Session session, Throwable error) {
        TyrusConnection failed = connection;
        if (failed != null) {
            failed.failed(error);
        } else {
            failedBeforeOpen(error);
        }
    }
}
