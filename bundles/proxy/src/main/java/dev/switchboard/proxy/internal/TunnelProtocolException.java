package dev.switchboard.proxy.internal;

/**
 * A breach of the tunnel protocol: the tunnel connection is closed with {@link #CLOSE_CODE} and
 * this message as the reason (PROTOCOL.md §5).
 */
public final class TunnelProtocolException extends Exception {

    public static final int CLOSE_CODE = 4400;

    public TunnelProtocolException(String reason) {
        super(reason, null, false, false);
    }
}
