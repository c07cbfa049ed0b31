package dev.switchboard.itests.distribution;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Messages from one source to one destination, each a unique text {@code <prefix><n>}: sent at a
 * steady rate by a thread of their own, and counted where they arrive, so that loss, duplicates
 * and order can be told apart.
 */
final class Flow {

    /** Sends one text; returns once the far side has accepted it (or throws). */
    interface Sender {
        void send(String text) throws Exception;
    }

    /** What arrived, per sent text, in first-seen order. */
    record Figures(String flow, int sent, int delivered, int duplicated, int outOfOrder, List<String> lost,
                   Set<String> unexpected) {
        /** Nothing lost, duplicated, reordered or made up. */
        boolean clean() {
            return lost.isEmpty() && duplicated == 0 && outOfOrder == 0 && unexpected.isEmpty();
        }

        @Override
        public String toString() {
            return String.format("%-22s sent %4d  delivered %4d  duplicated %d  out of order %d%s%s", flow, sent,
                    delivered, duplicated, outOfOrder, lost.isEmpty() ? "" : "  lost " + lost,
                    unexpected.isEmpty() ? "" : "  unexpected " + unexpected);
        }
    }

    private final String name;
    private final String prefix;
    private final Supplier<Map<String, Integer>> arrived;
    private final List<String> sent = Collections.synchronizedList(new ArrayList<>());
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private Thread thread;

    /**
     * @param arrived how often each text with this flow's prefix arrived, in first-seen order; given
     *                the flow's token pattern (its first group is the whole text)
     */
    Flow(String name, String prefix, Function<Pattern, Map<String, Integer>> arrived) {
        this.name = name;
        this.prefix = prefix;
        Pattern token = Pattern.compile("(" + Pattern.quote(prefix) + "\\d+)(?!\\d)");
        this.arrived = () -> arrived.apply(token);
    }

    /** Starts sending {@code count} texts, one every {@code interval}. */
    Flow start(int count, Duration interval, Sender sender) {
        thread = new Thread(() -> {
            long start = System.nanoTime();
            try {
                for (int n = 1; n <= count; n++) {
                    long due = start + (n - 1) * interval.toNanos();
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000)); // the steady rate, not a wait for a condition
                    }
                    String text = prefix + n;
                    sender.send(text);
                    sent.add(text);
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "flow " + name);
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    int sent() {
        return sent.size();
    }

    /** Waits until every text is sent; rethrows what stopped the sender. */
    void awaitSent(Duration timeout) throws InterruptedException {
        thread.join(timeout.toMillis());
        if (failure.get() != null) {
            throw new AssertionError(name + ": sending failed after " + sent() + " texts", failure.get());
        }
        if (thread.isAlive()) {
            throw new AssertionError(name + ": still sending after " + timeout.toSeconds() + " s (" + sent() + " sent)");
        }
    }

    /**
     * True once the last text sent has arrived: in a flow that keeps its order, what has not
     * arrived by then never will.
     */
    boolean settled() {
        Map<String, Integer> seen = arrived.get();
        synchronized (sent) {
            return !sent.isEmpty() && seen.containsKey(sent.get(sent.size() - 1));
        }
    }

    Figures figures() {
        Map<String, Integer> seen = arrived.get();
        List<String> all;
        synchronized (sent) {
            all = List.copyOf(sent);
        }
        List<String> lost = all.stream().filter(text -> !seen.containsKey(text)).toList();
        Set<String> unexpected = new HashSet<>(seen.keySet());
        all.forEach(unexpected::remove);
        int duplicated = seen.values().stream().mapToInt(n -> n - 1).sum();
        int highest = 0;
        int outOfOrder = 0;
        for (String text : seen.keySet()) {
            int n = Integer.parseInt(text.substring(prefix.length()));
            if (n < highest) {
                outOfOrder++;
            }
            highest = Math.max(highest, n);
        }
        return new Figures(name, all.size(), all.size() - lost.size(), duplicated, outOfOrder, lost, unexpected);
    }
}
