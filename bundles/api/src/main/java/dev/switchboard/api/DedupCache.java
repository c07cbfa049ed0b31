package dev.switchboard.api;

import java.util.Iterator;
import java.util.LinkedHashSet;

/**
 * Remembers recently seen ids so that a redelivered message is processed once: what lets a
 * router or an adapter keep the promise that a message is delivered once. Bounded: when more than
 * {@code limit} ids are held, the oldest are forgotten until only the newest {@code keep} remain.
 * Thread-safe.
 */
public final class DedupCache {

    /** The default bound: ids held before the oldest are forgotten. */
    public static final int DEFAULT_LIMIT = 10_000;
    /** The default trim target: ids kept when the bound is passed. */
    public static final int DEFAULT_KEEP = 5_000;

    private final int limit;
    private final int keep;
    private final LinkedHashSet<String> ids = new LinkedHashSet<>();

    public DedupCache() {
        this(DEFAULT_LIMIT, DEFAULT_KEEP);
    }

    public DedupCache(int limit, int keep) {
        if (limit < 1 || keep < 0 || keep > limit) {
            throw new IllegalArgumentException("need 0 <= keep <= limit and limit >= 1, got " + keep + ", " + limit);
        }
        this.limit = limit;
        this.keep = keep;
    }

    /** Records {@code id}; returns true the first time it is seen, false for a duplicate. */
    public synchronized boolean firstSeen(String id) {
        if (!ids.add(id)) {
            return false;
        }
        if (ids.size() > limit) {
            Iterator<String> oldest = ids.iterator();
            for (int drop = ids.size() - keep; drop > 0; drop--) {
                oldest.next();
                oldest.remove();
            }
        }
        return true;
    }

    public synchronized boolean contains(String id) {
        return ids.contains(id);
    }

    public synchronized int size() {
        return ids.size();
    }
}
