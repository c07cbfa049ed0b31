package dev.switchboard.console.internal;

import dev.switchboard.console.internal.SwitchboardPlugin.ActionResult;
import java.io.IOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One press of a button on the Web Console tab: {@code enable}, {@code disable} or
 * {@code restart} an endpoint, or {@code send} it a test message (as {@code switchboard:send}).
 * Every failure becomes an answer in words, never an exception.
 */
final class ConsoleAction {

    /** How long a test message may take to be accepted before the page is told it is still on its way. */
    private static final long SEND_WAIT_SECONDS = 5;

    private final EndpointDirectory directory;
    private final EndpointActions actions;

    ConsoleAction(EndpointDirectory directory, EndpointActions actions) {
        this.directory = directory;
        this.actions = actions;
    }

    ActionResult run(String action, String endpoint, String channel, String text) {
        if (action == null || endpoint == null || endpoint.isBlank()) {
            return new ActionResult(false, "an action needs action= and endpoint=");
        }
        EndpointView view = directory.overview().endpoints().stream()
                .filter(e -> e.id().equals(endpoint)).findFirst().orElse(null);
        if (view == null) {
            return new ActionResult(false, "no endpoint " + endpoint);
        }
        try {
            return switch (action) {
                case "enable" -> new ActionResult(true, actions.setEnabled(endpoint, view.protocol(), true));
                case "disable" -> new ActionResult(true, actions.setEnabled(endpoint, view.protocol(), false));
                case "restart" -> new ActionResult(true, actions.restart(directory.endpoint(endpoint), view.protocol()));
                case "send" -> send(endpoint, channel, text);
                default -> new ActionResult(false, "unknown action " + action);
            };
        } catch (IOException | RuntimeException e) {
            return new ActionResult(false, action + " " + endpoint + " failed: " + e.getMessage());
        }
    }

    private ActionResult send(String endpoint, String channel, String text) {
        if (channel == null || channel.isBlank() || text == null || text.isBlank()) {
            return new ActionResult(false, "a test message needs a channel and a text");
        }
        try {
            directory.send(endpoint, channel.trim(), text).toCompletableFuture().get(SEND_WAIT_SECONDS, TimeUnit.SECONDS);
            return new ActionResult(true, "sent to " + endpoint + " " + channel.trim());
        } catch (TimeoutException e) {
            return new ActionResult(true, "sending to " + endpoint + " " + channel.trim() + " (not accepted yet)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ActionResult(false, "interrupted");
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            return new ActionResult(false, "not sent: " + cause.getMessage());
        }
    }
}
