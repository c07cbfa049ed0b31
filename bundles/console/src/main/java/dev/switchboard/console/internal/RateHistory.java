package dev.switchboard.console.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Messages in and out per second of named things (endpoints, gateways) over the last
 * {@link #capacity} samples: each sample turns the things' running counters into rates since the
 * sample before. Bounded: a ring of samples, and a thing seen in none of them is forgotten.
 * Thread-safe.
 */
final class RateHistory {

    /** A thing's running totals at one moment. */
    record Counters(long in, long out) {
    }

    /** One thing's rates, oldest first, aligned with {@link Window#times}; null before it was seen. */
    record Rates(List<Double> in, List<Double> out) {
    }

    /**
     * The samples after a moment: their times in epoch milliseconds and every thing's rates at
     * those times.
     */
    record Window(List<Long> times, Map<String, Rates> rates) {
    }

    private final int capacity;
    private final long[] times;
    // per thing, its rates in the ring's slots (NaN: not seen then)
    private final Map<String, double[][]> rates = new HashMap<>();
    private Map<String, Counters> previous = Map.of();
    private long previousTime;
    private int next;
    private int size;

    RateHistory(int capacity) {
        this.capacity = capacity;
        this.times = new long[capacity];
    }

    /**
     * Records the counters taken at {@code timeMillis}. A thing's first sample, or a counter that
     * went backwards (its endpoint started anew), counts as no traffic for that second.
     */
    synchronized void record(long timeMillis, Map<String, Counters> counters) {
        double seconds = previousTime == 0 ? 0 : (timeMillis - previousTime) / 1000.0;
        int slot = next;
        times[slot] = timeMillis;
        rates.values().forEach(ring -> {
            ring[0][slot] = Double.NaN;
            ring[1][slot] = Double.NaN;
        });
        counters.forEach((name, now) -> {
            double[][] ring = rates.computeIfAbsent(name, n -> empty());
            Counters before = previous.get(name);
            ring[0][slot] = before == null ? 0 : rate(before.in(), now.in(), seconds);
            ring[1][slot] = before == null ? 0 : rate(before.out(), now.out(), seconds);
        });
        rates.values().removeIf(RateHistory::neverSeen);
        previous = Map.copyOf(counters);
        previousTime = timeMillis;
        next = (next + 1) % capacity;
        size = Math.min(size + 1, capacity);
    }

    /** The samples taken after {@code afterMillis} (all kept samples for 0), oldest first. */
    synchronized Window after(long afterMillis) {
        List<Integer> slots = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            int slot = (next - size + i + capacity) % capacity;
            if (times[slot] > afterMillis) {
                slots.add(slot);
            }
        }
        List<Long> windowTimes = slots.stream().map(slot -> times[slot]).toList();
        Map<String, Rates> window = new TreeMap<>();
        rates.forEach((name, ring) -> window.put(name, new Rates(values(ring[0], slots), values(ring[1], slots))));
        return new Window(windowTimes, new LinkedHashMap<>(window));
    }

    /** The latest rates of {@code name}: {in, out} per second, 0 when unknown. */
    synchronized double[] latest(String name) {
        double[][] ring = rates.get(name);
        if (ring == null || size == 0) {
            return new double[] {0, 0};
        }
        int slot = (next - 1 + capacity) % capacity;
        return new double[] {zeroIfUnseen(ring[0][slot]), zeroIfUnseen(ring[1][slot])};
    }

    private double[][] empty() {
        double[][] ring = new double[2][capacity];
        Arrays.fill(ring[0], Double.NaN);
        Arrays.fill(ring[1], Double.NaN);
        return ring;
    }

    private static double rate(long before, long now, double seconds) {
        if (seconds <= 0 || now < before) {
            return 0;
        }
        return Math.round((now - before) * 10 / seconds) / 10.0;
    }

    private static boolean neverSeen(double[][] ring) {
        for (double value : ring[0]) {
            if (!Double.isNaN(value)) {
                return false;
            }
        }
        return true;
    }

    private static List<Double> values(double[] ring, List<Integer> slots) {
        return slots.stream().map(slot -> Double.isNaN(ring[slot]) ? null : ring[slot]).toList();
    }

    private static double zeroIfUnseen(double value) {
        return Double.isNaN(value) ? 0 : value;
    }
}
