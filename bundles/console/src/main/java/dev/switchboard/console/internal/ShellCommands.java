package dev.switchboard.console.internal;

import java.io.PrintStream;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@code switchboard:*} shell commands, as plain Gogo functions so they work in Karaf's shell
 * (which adopts {@code osgi.command.*} services) and in a bare Felix Gogo shell alike. They print
 * rather than return their output: Karaf's batch mode ({@code bin/client -b}) drops return values,
 * and the shell routes {@code System.out} of the command's thread to the session.
 */
@Component(service = ShellCommands.class, property = {
    "osgi.command.scope=switchboard",
    "osgi.command.function=endpoints",
    "osgi.command.function=gateways",
    "osgi.command.function=send",
    "osgi.command.function=stats"
})
public class ShellCommands {

    /** How long {@code send} waits for the protocol to accept the message. */
    static final long SEND_TIMEOUT_SECONDS = 10;

    private final EndpointDirectory directory;
    private final Supplier<PrintStream> out;

    @Activate
    public ShellCommands(@Reference EndpointDirectory directory) {
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
