package dev.switchboard.router.internal;

import dev.switchboard.api.Endpoint;
import dev.switchboard.api.Message;
import dev.switchboard.api.MessageSink;
import dev.switchboard.router.GatewayInfo;
import dev.switchboard.router.MemberInfo;
import dev.switchboard.router.SinkInfo;
import dev.switchboard.api.DedupCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One gateway: routes a message from a publishing member to every other receiving member, through
 * one {@link SinkQueue} per destination endpoint, all delivered by the gateway's one
 * {@link DeliveryLoop} thread.
 *
 * <p>Queues and the dedup memory belong to the gateway, not to its configuration, so a
 * reconfiguration (even a malformed one) keeps every queued message: queues of endpoints that stay
 * destinations are kept, queues of endpoints that no longer are deliver what they hold and end.
 */
final class Gateway {

    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

    private final String pid;
    private final Function<String, MessageSink> currentSink;
    private final DeliveryLoop delivery;
    private final DedupCache seen = new DedupCache();
    private final Map<String, SinkQueue> queues = new LinkedHashMap<>();

    private String name;
    /** As configured. */
    private List<Member> members = List.of();
    /** What routing uses: the usable members, each channel spelt as its endpoint spells it. */
    private List<Member> routing = List.of();
    private Map<Member, Member> spelt = Map.of();
    private Map<Member, String> problems = Map.of();
    private Function<String, Endpoint> endpoints = endpoint -> null;
    private NickFormat nickFormat = new NickFormat(GatewaySettings.DEFAULT_NICK_FORMAT);
    private boolean configured;
    private boolean active;
    private String reason = "not configured";
    private long routed;
    private long duplicates;
    private long loopsBlocked;
    private long empty;

    private Gateway(String pid, Duration sendTimeout, Function<String, MessageSink> currentSink) {
        this.pid = pid;
        this.name = pid;
        this.currentSink = currentSink;
        this.delivery = new DeliveryLoop(pid, sendTimeout, this::drained);
    }

    /** Creates the gateway and starts its delivery thread. */
    static Gateway start(String pid, Duration sendTimeout, Function<String, MessageSink> currentSink) {
        Gateway gateway = new Gateway(pid, sendTimeout, currentSink);
        gateway.delivery.start();
        return gateway;
    }

    synchronized String name() {
        return name;
    }

    /** Applies (new) settings live; {@code endpointPresent} only serves the log line. */
    synchronized void configure(GatewaySettings settings, Predicate<String> endpointPresent) {
        boolean first = !configured;
        configured = true;
        String previousName = name;
        name = settings.name().isEmpty() ? pid : settings.name();
        if (!name.equals(previousName)) {
            delivery.rename(name);
        }
        List<Member> parsed;
        try {
            if (settings.problem() != null) {
                throw new IllegalArgumentException(settings.problem());
            }
            if (settings.queueCapacity() < 1) {
                throw new IllegalArgumentException("queueCapacity must be at least 1, got " + settings.queueCapacity());
            }
            parsed = Member.parseAll(settings.members());
        } catch (IllegalArgumentException e) {
            // queues stay as they are: they keep delivering and are reused once the configuration is fixed
            members = List.of();
            normalise();
            deactivate(e.getMessage());
            LOG.warn("Gateway {} is inactive: {}{}", name, reason, keptMessages());
            return;
        }
        members = parsed;
        normalise();
        nickFormat = new NickFormat(settings.nickFormat());
        Set<String> destinations = new LinkedHashSet<>();
        members.stream().filter(m -> m.direction().receives()).forEach(m -> destinations.add(m.endpoint()));
        for (String endpoint : destinations) {
            SinkQueue queue = queues.get(endpoint);
            if (queue != null && queue.revive()) {
                queue.reconfigure(name, settings.queueCapacity(), settings.maxAge());
            } else {
                queues.put(endpoint, SinkQueue.start(name, endpoint, settings.queueCapacity(), settings.maxAge(),
                        currentSink.apply(endpoint), delivery));
            }
        }
        for (SinkQueue queue : queues.values()) {
            if (!destinations.contains(queue.endpoint())) {
                queue.reconfigure(name, settings.queueCapacity(), settings.maxAge());
                queue.retire();
            }
        }
        if (!settings.enabled()) {
            deactivate("disabled");
            LOG.info("Gateway {} is disabled{}", name, keptMessages());
            return;
        }
        active = true;
        reason = "active";
        Set<String> waiting = new LinkedHashSet<>();
        members.stream().map(Member::endpoint).filter(endpointPresent.negate()).forEach(waiting::add);
        LOG.info("Gateway {} {}: {}{}", name, first ? "is active" : "is reconfigured", members,
                waiting.isEmpty() ? "" : "; waiting for endpoints " + waiting);
    }

    /**
     * Spells each member's channel as its endpoint does ({@code Endpoint#canonicalChannel}), with
     * the endpoints present now; a member whose endpoint refuses the spelling is left out of
     * routing and shown with the reason. Called again whenever endpoints come, go or are renamed.
     */
    synchronized void endpointsChanged(Function<String, Endpoint> present) {
        endpoints = present;
        normalise();
    }

    private void normalise() {
        Map<Member, Member> usable = new LinkedHashMap<>();
        Map<Member, String> unusable = new LinkedHashMap<>();
        for (Member member : members) {
            Endpoint endpoint = endpoints.apply(member.endpoint());
            if (endpoint == null) {
                usable.put(member, member);
                continue;
            }
            try {
                usable.put(member, new Member(member.endpoint(), endpoint.canonicalChannel(member.channel()),
                        member.direction()));
            } catch (RuntimeException e) {
                unusable.put(member, e.getMessage() == null ? e.toString() : e.getMessage());
            }
        }
        for (Map.Entry<Member, String> entry : unusable.entrySet()) {
            if (!entry.getValue().equals(problems.get(entry.getKey()))) {
                LOG.warn("Gateway {}: member {} is unusable: {}", name, entry.getKey(), entry.getValue());
            }
        }
        spelt = usable;
        routing = List.copyOf(usable.values());
        problems = unusable;
    }

    private void deactivate(String why) {
        active = false;
        reason = why;
    }

    private String keptMessages() {
        int queued = queues.values().stream().mapToInt(q -> q.info().queued()).sum();
        return queued == 0 ? "" : "; its " + queued + " queued messages are kept";
    }

    /**
     * Routes {@code message}, published by the source of {@code sourceEndpoint}, to the other
     * receiving members: never back to its origin member, never twice for one id, never to an
     * endpoint its hop trace has passed (except the source endpoint itself, so that two channels of
     * one endpoint can be bridged).
     */
    synchronized void route(String sourceEndpoint, String sourceProtocol, Message message) {
        if (!active) {
            return;
        }
        Member origin = routing.stream()
                .filter(m -> m.direction().publishes() && m.is(sourceEndpoint, message.channel()))
                .findFirst().orElse(null);
        if (origin == null) {
            return;
        }
        if (message.isChat() && (message.text() == null || message.text().isBlank())) {
            // a line holding only a nick prefix helps nobody
            empty++;
            LOG.debug("Gateway {} does not bridge empty message {} from {}", name, message.id(), sourceEndpoint);
            return;
        }
        if (!seen.firstSeen(message.id())) {
            duplicates++;
            return;
        }
        routed++;
        Message traced = message.withHop(sourceEndpoint);
        // the nick prefix depends on the origin only: formatted once for every destination
        String text = message.isChat() && message.text() != null
                ? nickFormat.apply(message.author().name(), sourceProtocol, origin.endpoint(), origin.channel(), name)
                        + message.text()
                : message.text();
        for (Member destination : routing) {
            if (destination == origin || !destination.direction().receives()) {
                continue;
            }
            if (traced.hasVisited(destination.endpoint()) && !destination.endpoint().equals(sourceEndpoint)) {
                loopsBlocked++;
                continue;
            }
            queues.get(destination.endpoint()).offer(deliverable(traced, text, destination));
        }
    }

    /** The copy of {@code traced} for {@code destination}, built in one go: one per destination and message. */
    private static Message deliverable(Message traced, String text, Member destination) {
        List<String> hops = traced.hops();
        if (!traced.hasVisited(destination.endpoint())) {
            hops = new ArrayList<>(hops);
            hops.add(destination.endpoint());
        }
        return traced.toBuilder().channel(destination.channel()).text(text).hops(hops).build();
    }

    /** The sink of {@code endpoint} came (non-null) or went (null). */
    synchronized void sinkChanged(String endpoint, MessageSink sink) {
        SinkQueue queue = queues.get(endpoint);
        if (queue != null) {
            queue.attach(sink);
        }
    }

    /** {@code endpoint} reports itself online: its queue, if told "not now", sends again. */
    synchronized void endpointOnline(String endpoint) {
        SinkQueue queue = queues.get(endpoint);
        if (queue != null) {
            queue.endpointOnline();
        }
    }

    private synchronized void drained(SinkQueue queue) {
        if (queues.remove(queue.endpoint(), queue)) {
            LOG.info("Gateway {} delivered its last queued message for former member {}", name, queue.endpoint());
        }
    }

    /** The queue for {@code endpoint}, for tests. */
    synchronized SinkQueue queue(String endpoint) {
        return queues.get(endpoint);
    }

    synchronized GatewayInfo info(Predicate<String> sourcePresent, Predicate<String> sinkPresent) {
        List<MemberInfo> memberInfos = new ArrayList<>();
        for (Member m : members) {
            memberInfos.add(new MemberInfo(m.endpoint(), spelt.getOrDefault(m, m).channel(), m.direction(),
                    sourcePresent.test(m.endpoint()), sinkPresent.test(m.endpoint()), problems.get(m)));
        }
        List<SinkInfo> sinkInfos = queues.values().stream().map(SinkQueue::info).toList();
        return new GatewayInfo(pid, name, active, reason, memberInfos, sinkInfos, routed, duplicates, loopsBlocked,
                empty);
    }

    String pid() {
        return pid;
    }

    /** Queues what a previous router left for this gateway, before anything new; returns how many. */
    synchronized int restore(Map<String, List<Message>> left) {
        int count = 0;
        for (Map.Entry<String, List<Message>> entry : left.entrySet()) {
            SinkQueue queue = queues.get(entry.getKey());
            if (queue == null) {
                LOG.warn("Gateway {} drops {} messages the previous router left for {}: no longer a destination",
                        name, entry.getValue().size(), entry.getKey());
                continue;
            }
            queue.restore(entry.getValue());
            count += entry.getValue().size();
        }
        return count;
    }

    /** Waits until nothing more can be delivered now, or until {@code deadline} (System.nanoTime()). */
    void awaitDrained(long deadline) {
        while (!delivery.idle() && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Stops the delivery thread; returns what is still queued, by destination, in order. */
    Map<String, List<Message>> closeAndTake() {
        synchronized (this) {
            active = false;
            reason = "removed";
        }
        // outside the lock: the delivery thread may be about to call drained()
        Map<String, List<Message>> left = delivery.closeAndTake();
        synchronized (this) {
            queues.clear();
        }
        return left;
    }

    /** Stops the delivery thread; returns the number of queued messages discarded. */
    int close() {
        return closeAndTake().values().stream().mapToInt(List::size).sum();
    }
}
