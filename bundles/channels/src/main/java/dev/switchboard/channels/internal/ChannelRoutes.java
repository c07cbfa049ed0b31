package dev.switchboard.channels.internal;

import dev.switchboard.channels.ChannelHandler;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which channel serves a topic: the first pattern it matches, the built-in chat patterns first,
 * then handler services by ranking (highest first) and registration order. Changes are rare and
 * synchronized; {@link #match} reads an immutable snapshot, so a frame never waits for them.
 */
final class ChannelRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(ChannelRoutes.class);

    private record Route(TopicPattern pattern, Channel channel, int ranking, long order) {
    }

    /** The channel serving a topic and the pattern's parameters as matched in it. */
    record Match(Channel channel, Map<String, String> params) {
    }

    private final String endpoint;
    private final ChannelsCodec codec;
    // guarded by this
    private final List<Route> handlerRoutes = new ArrayList<>();
    private List<Route> chatRoutes = List.of();
    private volatile List<Route> routes = List.of();

    /** @param endpoint the endpoint id, for log lines */
    ChannelRoutes(String endpoint, ChannelsCodec codec, List<String> chatPatterns) {
        this.endpoint = endpoint;
        this.codec = codec;
        chatPatterns(chatPatterns);
    }

    /** Serves {@code patterns} with the chat channel from now on; a malformed one is ignored with a log line. */
    synchronized void chatPatterns(List<String> patterns) {
        List<Route> chat = new ArrayList<>();
        ChatChannel channel = new ChatChannel();
        for (String text : patterns) {
            try {
                chat.add(new Route(new TopicPattern(text), channel, Integer.MAX_VALUE, 0));
            } catch (RuntimeException e) {
                LOG.warn("{}: ignoring chat pattern \"{}\": {}", endpoint, text, e.getMessage());
            }
        }
        chatRoutes = chat;
        rebuild();
    }

    /** Serves a handler's pattern from now on; a handler with a malformed pattern is refused with a log line. */
    synchronized void add(ChannelHandler handler, int ranking, long order) {
        TopicPattern pattern;
        try {
            pattern = new TopicPattern(handler.pattern());
        } catch (RuntimeException e) {
            LOG.warn("{}: ignoring channel handler {}: bad pattern: {}", endpoint, handler.getClass().getName(),
                    e.toString());
            return;
        }
        handlerRoutes.add(new Route(pattern, new HandlerChannel(handler, codec), ranking, order));
        handlerRoutes.sort(Comparator.comparingInt(Route::ranking).reversed().thenComparingLong(Route::order));
        rebuild();
        LOG.info("{}: channel handler {} serves {}", endpoint, handler.getClass().getName(), pattern);
    }

    synchronized void remove(ChannelHandler handler) {
        if (handlerRoutes.removeIf(r -> r.channel() instanceof HandlerChannel h && h.handler() == handler)) {
            rebuild();
            LOG.info("{}: channel handler {} removed", endpoint, handler.getClass().getName());
        }
    }

    // guarded by this
    private void rebuild() {
        List<Route> all = new ArrayList<>(chatRoutes);
        all.addAll(handlerRoutes);
        routes = List.copyOf(all);
    }

    /** The channel serving {@code topic}, or null when no pattern matches it. */
    Match match(String topic) {
        for (Route route : routes) {
            Map<String, String> params = route.pattern().match(topic);
            if (params != null) {
                return new Match(route.channel(), params);
            }
        }
        return null;
    }

    /** The patterns served, in matching order, each once. */
    List<String> patterns() {
        return routes.stream().map(r -> r.pattern().toString()).distinct().toList();
    }
}
