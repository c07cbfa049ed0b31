package dev.switchboard.api;

/**
 * Receives the messages of one {@link MessageSource}.
 *
 * <p><b>Threading.</b> A source calls a listener from one of its own threads (never the thread
 * that subscribed), and never concurrently for the same listener: calls for one source are
 * serialised, so messages arrive in the order the source received them from its protocol.
 * A listener must return quickly; slow work belongs on the listener's own executor.
 *
 * <p><b>Failure.</b> An exception thrown by a listener is caught and logged by the source; the
 * listener stays subscribed and receives the next message.
 */
@FunctionalInterface
public interface MessageListener {

    void onMessage(Message message);
}
