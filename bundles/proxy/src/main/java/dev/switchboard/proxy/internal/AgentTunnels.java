package dev.switchboard.proxy.internal;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * On the controller, the tunnel connections of one agent instance (PROTOCOL.md §1): one agent to
 * routes and figures. New streams go to the connection with the fewest open; stream ids come from
 * one counter, so an id names one stream of the agent whichever connection carries it.
 */
final class AgentTunnels {

    private final String name;
    private final String instance;
    private final AtomicInteger streamIds = new AtomicInteger();
    // guarded by this
    private final Tunnel[] slots;

    AgentTunnels(String name, String instance, int tunnels) {
        this.name = name;
        this.instance = instance;
        this.slots = new Tunnel[tunnels];
    }

    String name() {
        return name;
    }

    /** Whether a hello's connection belongs here: the same agent run, announcing as many connections. */
    boolean isInstance(ProxyCodec.Hello hello) {
        return !instance.isEmpty() && instance.equals(hello.instance()) && slots.length == hello.tunnels();
    }

    /** Ids for the streams of this agent, on whichever connection. */
    int nextStreamId() {
        return streamIds.incrementAndGet();
    }

    /** Takes connection {@code slot}; returns the one it replaces (a connection the agent gave up), or null. */
    synchronized Tunnel put(int slot, Tunnel tunnel) {
        Tunnel older = slots[slot];
        slots[slot] = tunnel;
        return older;
    }

    /** Lets {@code tunnel} go; true when it was here and no connection is left. */
    synchronized boolean remove(Tunnel tunnel) {
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] == tunnel) {
                slots[i] = null;
                return Arrays.stream(slots).allMatch(Objects::isNull);
            }
        }
        return false;
    }

    synchronized List<Tunnel> tunnels() {
        return Arrays.stream(slots).filter(Objects::nonNull).toList();
    }

    /** The open connection with the fewest streams, for a new one. */
    Optional<Tunnel> pick() {
        return tunnels().stream().filter(t -> !t.isClosed()).min(Comparator.comparingInt(Tunnel::openStreams));
    }

    /** Closes every connection (each ends its streams). */
    void close(int code, String reason) {
        tunnels().forEach(tunnel -> tunnel.close(code, reason));
    }

    /** Resets stream {@code id} on the connection that carries it; false when none does. */
    boolean reset(int id, ResetCode code, String reason) {
        return tunnels().stream().anyMatch(tunnel -> tunnel.reset(id, code, reason));
    }

    int openStreams() {
        return tunnels().stream().mapToInt(Tunnel::openStreams).sum();
    }

    long bytesIn() {
        return tunnels().stream().mapToLong(Tunnel::bytesIn).sum();
    }

    long bytesOut() {
        return tunnels().stream().mapToLong(Tunnel::bytesOut).sum();
    }

    /** The slowest connection's last round trip, or -1 before any PONG. */
    double roundTripMillis() {
        return tunnels().stream().mapToDouble(Tunnel::roundTripMillis).max().orElse(-1);
    }
}
