package dev.meshjoin.api.retry;

import java.time.Duration;
import java.util.Optional;

/**
 * The instant by which a caller needs an answer, carried to everything the caller's thread calls:
 * stores, transports and retry loops cap their waits with {@link #cap(Duration)} and give up once
 * it has passed, so that no retry, rate-limit wait or backoff outlives the join (or the command)
 * that started it.
 *
 * <pre>{@code
 * try (Deadline.Scope scope = Deadline.after(Duration.ofMinutes(2)).enter()) {
 *     store.get("mesh/prod/network");          // every wait inside is bounded by the two minutes
 * }
 * }</pre>
 *
 * <p>A thread with no deadline entered runs under {@link #none()}. Deadlines nest: entering a later
 * deadline inside an earlier one keeps the earlier.
 */
public final class Deadline {
    private static final ThreadLocal<Deadline> CURRENT = new ThreadLocal<>();
    private static final Deadline NONE = new Deadline(Long.MAX_VALUE, true);

    private final long atNanos;
    private final boolean unbounded;

    private Deadline(long atNanos, boolean unbounded) {
        this.atNanos = atNanos;
        this.unbounded = unbounded;
    }

    /** A deadline {@code timeout} from now. */
    public static Deadline after(Duration timeout) {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("a deadline cannot lie in the past: " + timeout);
        }
        long now = System.nanoTime();
        long nanos = timeout.compareTo(Duration.ofDays(365 * 100)) > 0 ? Long.MAX_VALUE / 2 : timeout.toNanos();
        return new Deadline(now + nanos, false);
    }

    /** No deadline at all. */
    public static Deadline none() {
        return NONE;
    }

    /** The deadline this thread runs under, or {@link #none()}. */
    public static Deadline current() {
        Deadline d = CURRENT.get();
        return d == null ? NONE : d;
    }

    /** True when this thread has entered a deadline. */
    public static boolean isSet() {
        return CURRENT.get() != null;
    }

    /** True when this is {@link #none()}. */
    public boolean unbounded() {
        return unbounded;
    }

    /** What is left, never negative; a very long duration for {@link #none()}. */
    public Duration remaining() {
        if (unbounded) {
            return Duration.ofNanos(Long.MAX_VALUE);
        }
        long left = atNanos - System.nanoTime();
        return Duration.ofNanos(Math.max(0, left));
    }

    /** True once the deadline has passed. */
    public boolean expired() {
        return !unbounded && atNanos - System.nanoTime() <= 0;
    }

    /** True when a wait of {@code wait} would end before the deadline. */
    public boolean allows(Duration wait) {
        return unbounded || wait.toNanos() < atNanos - System.nanoTime();
    }

    /** {@code wait}, or what is left of this deadline when that is shorter. */
    public Duration cap(Duration wait) {
        Duration left = remaining();
        return wait.compareTo(left) > 0 ? left : wait;
    }

    /** The earlier of this deadline and {@code other}. */
    public Deadline min(Deadline other) {
        if (unbounded) {
            return other;
        }
        if (other.unbounded) {
            return this;
        }
        return atNanos - other.atNanos <= 0 ? this : other;
    }

    /** The earlier of this deadline and {@code timeout} from now. */
    public Deadline within(Duration timeout) {
        return min(after(timeout));
    }

    /**
     * Sleeps for {@code wait} or until the deadline, whichever comes first.
     *
     * @return true when the whole wait was slept, false when the deadline cut it short
     */
    public boolean sleep(Duration wait) throws InterruptedException {
        Duration capped = cap(wait);
        if (!capped.isZero()) {
            Thread.sleep(capped.toMillis(), (int) (capped.toNanosPart() % 1_000_000));
        }
        return capped.equals(wait);
    }

    /**
     * Makes this deadline (or the thread's current one, when that is earlier) the current one until
     * the returned scope is closed.
     */
    public Scope enter() {
        Deadline previous = CURRENT.get();
        Deadline effective = previous == null ? this : previous.min(this);
        CURRENT.set(effective);
        return new Scope(previous, effective);
    }

    @Override
    public String toString() {
        return unbounded ? "Deadline[none]" : "Deadline[" + remaining().toMillis() + " ms left]";
    }

    /** Restores the previous deadline when closed. */
    public static final class Scope implements AutoCloseable {
        private final Deadline previous;
        private final Deadline effective;

        private Scope(Deadline previous, Deadline effective) {
            this.previous = previous;
            this.effective = effective;
        }

        /** The deadline in force inside this scope. */
        public Deadline deadline() {
            return effective;
        }

        @Override
        public void close() {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        }
    }

    /** Convenience: the current deadline's remaining time as an optional, empty when unbounded. */
    public static Optional<Duration> remainingIfSet() {
        Deadline d = current();
        return d.unbounded ? Optional.empty() : Optional.of(d.remaining());
    }
}
