package dev.switchboard.console.internal;

import java.util.List;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

/**
 * The {@code switchboard:*} commands of Karaf's shell, each with its description, arguments and
 * {@code --help}, endpoint ids and gateway names completed with Tab. Karaf finds them through the
 * bundle's {@code Karaf-Commands} header; the work is {@link ShellCommands}'.
 */
public final class SwitchboardCommands {

    private SwitchboardCommands() {
    }

    @Service
    @Command(scope = "switchboard", name = "endpoints",
            description = "Lists every endpoint: protocol, status with its reason, messages and bytes in and out,"
                    + " errors, reconnects, counters' start and the protocol's own figures.")
    public static class Endpoints implements Action {
        @Reference
        EndpointDirectory directory;

        @Override
        public Object execute() {
            new ShellCommands(directory).endpoints();
            return null;
        }
    }

    @Service
    @Command(scope = "switchboard", name = "gateways",
            description = "Lists the gateways (or one): members with their direction and presence, and per"
                    + " destination the messages queued, delivered, failed, dropped and expired.")
    public static class Gateways implements Action {
        @Reference
        EndpointDirectory directory;

        @Argument(index = 0, name = "gateway", required = false, description = "Only this gateway, by name")
        @Completion(GatewayNames.class)
        String gateway;

        @Override
        public Object execute() {
            ShellCommands commands = new ShellCommands(directory);
            if (gateway == null) {
                commands.gateways();
            } else {
                commands.gateway(gateway);
            }
            return null;
        }
    }

    @Service
    @Command(scope = "switchboard", name = "stats", description = "Totals over every endpoint and gateway.")
    public static class Stats implements Action {
        @Reference
        EndpointDirectory directory;

        @Override
        public Object execute() {
            new ShellCommands(directory).stats();
            return null;
        }
    }

    @Service
    @Command(scope = "switchboard", name = "send",
            description = "Sends chat text into a channel of an endpoint, as a message routed to it would go,"
                    + " and waits until the protocol accepted it.")
    public static class Send implements Action {
        @Reference
        EndpointDirectory directory;

        @Argument(index = 0, name = "endpoint", required = true,
                description = "The endpoint id, as switchboard:endpoints lists it")
        @Completion(EndpointIds.class)
        String endpoint;

        @Argument(index = 1, name = "channel", required = true,
                description = "The channel as the endpoint names it: a topic (chat:lobby), a room (@room), a chat id")
        String channel;

        @Argument(index = 2, name = "text", required = true, multiValued = true,
                description = "The text; several words are joined with spaces")
        List<String> words;

        @Override
        public Object execute() throws Exception {
            new ShellCommands(directory).send(endpoint, channel, words.toArray(String[]::new));
            return null;
        }
    }

    /** Completes the ids of the endpoints present. */
    @Service
    public static class EndpointIds implements Completer {
        @Reference
        EndpointDirectory directory;

        @Override
        public int complete(Session session, CommandLine commandLine, List<String> candidates) {
            return new StringsCompleter(directory.overview().endpoints().stream().map(EndpointView::id).toList())
                    .complete(session, commandLine, candidates);
        }
    }

    /** Completes the names of the gateways configured. */
    @Service
    public static class GatewayNames implements Completer {
        @Reference
        EndpointDirectory directory;

        @Override
        public int complete(Session session, CommandLine commandLine, List<String> candidates) {
            return new StringsCompleter(directory.overview().gateways().stream().map(g -> g.name()).toList())
                    .complete(session, commandLine, candidates);
        }
    }
}
