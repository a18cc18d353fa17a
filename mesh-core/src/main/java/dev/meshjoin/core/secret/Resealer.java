package dev.meshjoin.core.secret;

import dev.meshjoin.api.secret.SecretCodec;
import dev.meshjoin.api.secret.SecretCodecException;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.Entry;
import dev.meshjoin.api.store.KeyVersion;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Migrates every value under a store prefix to a codec's current key, after a key rotation or
 * from the original's Fernet tokens to the default codec.
 *
 * <p>Each value is opened (with the store key as associated data), sealed again and written back
 * with a compare-and-set on the version it was read at. A concurrent writer therefore never loses
 * its update: when the compare-and-set loses, the value is read again and the newer value is the
 * one migrated (or left alone if it already uses the current key). A value that does not open is
 * reported and left exactly as it was. A time-to-live is kept: the rewritten entry expires when the
 * old one would have (at least the store's shortest time-to-live from now).
 *
 * <pre>{@code
 * ResealReport r = Resealer.of(store, rotatedCodec).reseal("mesh/prod/");
 * if (!r.failed().isEmpty()) { ... values that did not open, by key ... }
 * }</pre>
 */
public final class Resealer {
    private final BootstrapStore store;
    private final SecretCodec from;
    private final SecretCodec to;
    private final Clock clock;
    private final int maxAttempts;

    private Resealer(BootstrapStore store, SecretCodec from, SecretCodec to, Clock clock, int maxAttempts) {
        this.store = Objects.requireNonNull(store, "store");
        this.from = Objects.requireNonNull(from, "from");
        this.to = Objects.requireNonNull(to, "to");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.maxAttempts = maxAttempts;
    }

    /** Reseals with one codec: open with any of its keys, seal with its current key. */
    public static Resealer of(BootstrapStore store, SecretCodec codec) {
        return new Resealer(store, codec, codec, Clock.systemUTC(), 100);
    }

    /**
     * Migrates from one codec to another: values already in {@code to}'s format are resealed to its
     * current key if needed, all others are opened with {@code from}.
     */
    public static Resealer migrating(BootstrapStore store, SecretCodec from, SecretCodec to) {
        return new Resealer(store, from, to, Clock.systemUTC(), 100);
    }

    /** The clock used to keep time-to-lives. */
    public Resealer withClock(Clock clock) {
        return new Resealer(store, from, to, clock, maxAttempts);
    }

    /**
     * What a reseal did.
     *
     * @param examined keys listed under the prefix
     * @param resealed values rewritten under the current key
     * @param alreadyCurrent values that already used the current key
     * @param vanished keys deleted or expired before they could be read or rewritten
     * @param conflicts compare-and-sets lost to a concurrent writer (each followed by a re-read)
     * @param failed keys whose value did not open, with the reason; these are left untouched
     */
    public record ResealReport(int examined, int resealed, int alreadyCurrent, int vanished, int conflicts,
                               Map<String, String> failed) {
        public ResealReport {
            failed = Map.copyOf(failed);
        }
    }

    /** Reseals every value whose key starts with {@code prefix}. */
    public ResealReport reseal(String prefix) {
        int examined = 0;
        int resealed = 0;
        int current = 0;
        int vanished = 0;
        int conflicts = 0;
        Map<String, String> failed = new LinkedHashMap<>();
        for (KeyVersion kv : store.list(prefix)) {
            examined++;
            String key = kv.key();
            byte[] aad = key.getBytes(StandardCharsets.UTF_8);
            Outcome outcome = null;
            for (int attempt = 0; attempt < maxAttempts && outcome == null; attempt++) {
                Optional<Entry> read = store.get(key);
                if (read.isEmpty()) {
                    outcome = Outcome.VANISHED;
                    break;
                }
                Entry e = read.get();
                byte[] value = e.value();
                byte[] plain;
                try {
                    if (usesCurrentKey(value)) {
                        outcome = Outcome.CURRENT;
                        break;
                    }
                    plain = openAny(value, aad);
                } catch (SecretCodecException ex) {
                    failed.put(key, ex.getMessage());
                    outcome = Outcome.FAILED;
                    break;
                }
                Optional<Duration> ttl = remaining(e);
                if (ttl.isPresent() && ttl.get().isZero()) {
                    outcome = Outcome.VANISHED;
                    break;
                }
                byte[] sealed = to.seal(plain, aad);
                if (store.compareAndSet(key, e.version(), sealed, ttl.orElse(null)).isPresent()) {
                    outcome = Outcome.RESEALED;
                } else {
                    conflicts++;
                }
            }
            if (outcome == null) {
                failed.put(key, "lost the compare-and-set " + maxAttempts + " times in a row to concurrent writers");
                continue;
            }
            switch (outcome) {
                case RESEALED -> resealed++;
                case CURRENT -> current++;
                case VANISHED -> vanished++;
                case FAILED -> { }
            }
        }
        return new ResealReport(examined, resealed, current, vanished, conflicts, failed);
    }

    private enum Outcome { RESEALED, CURRENT, VANISHED, FAILED }

    private boolean usesCurrentKey(byte[] value) {
        try {
            return to.keyIdOf(value).equals(to.currentKeyId());
        } catch (SecretCodecException notInTargetFormat) {
            return false;
        }
    }

    private byte[] openAny(byte[] value, byte[] aad) {
        if (to != from) {
            boolean inTargetFormat;
            try {
                to.keyIdOf(value);
                inTargetFormat = true;
            } catch (SecretCodecException notInTargetFormat) {
                inTargetFormat = false;
            }
            if (inTargetFormat) {
                return to.open(value, aad);
            }
        }
        return from.open(value, aad);
    }

    /** Empty for no expiry; zero when the entry has expired. */
    private Optional<Duration> remaining(Entry e) {
        if (e.expiresAt().isEmpty()) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Instant at = e.expiresAt().get();
        if (!at.isAfter(now)) {
            return Optional.of(Duration.ZERO);
        }
        Duration left = Duration.between(now, at);
        // Round up to whole seconds (most stores count in seconds) and respect the store's minimum.
        Duration rounded = Duration.ofSeconds(left.getSeconds() + (left.getNano() > 0 ? 1 : 0));
        return Optional.of(rounded.compareTo(store.minTtl()) < 0 ? store.minTtl() : rounded);
    }
}
