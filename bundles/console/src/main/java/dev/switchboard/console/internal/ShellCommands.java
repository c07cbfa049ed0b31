package dev.switchboard.console.internal;

import java.io.PrintStream;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
/**
 * What the {@code switchboard:*} shell commands do ({@link SwitchboardCommands} gives them Karaf's
 * help, options and completion). They print rather than return their output: Karaf's batch mode
 * ({@code bin/client -b}) drops return values, and the shell routes {@code System.out} of the
 * command's thread to the session.
 */
public class ShellCommands {

    /** How long {@code send} waits for the protocol to accept the message. */
    static final long SEND_TIMEOUT_SECONDS = 10;

    private final EndpointDirectory directory;
    private final Supplier<PrintStream> out;

    public ShellCommands(EndpointDirectory directory) {
        this(directory, () -> System.out);
    }

    ShellCommands(EndpointDirectory directory, Supplier<PrintStream> out) {
        this.directory = directory;
        this.out = out;
    }

    /** Every endpoint with protocol, status and counters. */
    public void endpoints() {
        print(TextReport.endpoints(directory.overview()));
    }

    /** Every gateway with its members and queue depths. */
    public void gateways() {
        print(TextReport.gateways(directory.overview()));
    }

    /** One gateway, by name. */
    public void gateway(String name) {
        Overview all = directory.overview();
        Overview one = new Overview(all.time(), all.endpoints(), all.routerPresent(),
                all.gateways().stream().filter(g -> g.name().equals(name)).toList());
        if (all.routerPresent() && one.gateways().isEmpty()) {
            throw new IllegalArgumentException("no gateway \"" + name + "\"; gateways: "
                    + String.join(", ", all.gateways().stream().map(g -> g.name()).sorted().toList()));
        }
        print(TextReport.gateways(one));
    }

    /** Totals over every endpoint and gateway. */
    public void stats() {
        print(TextReport.stats(directory.overview()));
    }

    /**
     * Sends chat text into a channel of an endpoint: {@code switchboard:send demo general hello all}.
     * The words after the channel are joined with spaces.
     */
    public void send(String endpoint, String channel, String... words) throws Exception {
        if (words.length == 0) {
            throw new IllegalArgumentException("usage: switchboard:send <endpoint> <channel> <text>");
        }
        String text = String.join(" ", words);
        try {
            directory.send(endpoint, channel, text).toCompletableFuture().get(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            // Gogo prints the exception's message: make it the cause's, which names the problem
            Throwable cause = e.getCause();
            throw cause instanceof Exception ex ? ex : e;
        } catch (TimeoutException e) {
            throw new TimeoutException("endpoint \"" + endpoint + "\" did not accept the message within "
                    + SEND_TIMEOUT_SECONDS + " s");
        }
        print("sent to " + endpoint + " #" + channel);
    }

    private void print(String text) {
        PrintStream stream = out.get();
        stream.print(text.endsWith("\n") ? text : text + "\n");
        stream.flush();
    }
}
