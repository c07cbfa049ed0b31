package dev.switchboard.api;

/**
 * A listener's registration with a {@link MessageSource}. Closing it is idempotent; once
 * {@code close} returns, the listener receives no further message.
 */
public interface Subscription extends AutoCloseable {

    @Override
    void close();
}
