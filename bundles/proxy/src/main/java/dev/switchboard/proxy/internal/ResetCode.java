package dev.switchboard.proxy.internal;

/** Why a stream was reset (PROTOCOL.md §3); the wire carries {@link #code()}. */
public enum ResetCode {
    /** The agent could not reach the service. */
    REFUSED(1),
    /** The controller gave up waiting for ACCEPT. */
    TIMEOUT(2),
    /** One side closed early. */
    CANCEL(3),
    /** The sender failed while handling the stream. */
    INTERNAL(5);

    private final int code;

    ResetCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The code for {@code value}; an unknown one reads as {@link #INTERNAL}, so newer peers stay compatible. */
    public static ResetCode of(int value) {
        for (ResetCode candidate : values()) {
            if (candidate.code == value) {
                return candidate;
            }
        }
        return INTERNAL;
    }
}
