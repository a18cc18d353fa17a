package dev.meshjoin.api.store;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * A value read from a store, with the version that a compare-and-set must name to replace it.
 * Versions are positive and grow with every successful write of the key.
 *
 * @param key the full key
 * @param value the stored bytes (a defensive copy is made on the way in and out)
 * @param version the version of this value
 * @param expiresAt when a time-to-live was given, the instant after which the entry is gone
 */
public record Entry(String key, byte[] value, long version, Optional<Instant> expiresAt) {

    public Entry {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(expiresAt, "expiresAt");
        if (version < 1) {
            throw new IllegalArgumentException("versions start at 1, got " + version);
        }
        value = value.clone();
    }

    public Entry(String key, byte[] value, long version) {
        this(key, value, version, Optional.empty());
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    /** The value as UTF-8 text. */
    public String text() {
        return new String(value, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The key, version and expiry, without the value. */
    public KeyVersion keyVersion() {
        return new KeyVersion(key, version, expiresAt);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Entry e && key.equals(e.key) && version == e.version
                && Arrays.equals(value, e.value) && expiresAt.equals(e.expiresAt);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, version, Arrays.hashCode(value), expiresAt);
    }

    @Override
    public String toString() {
        // Values may be sealed secrets; never print them.
        return "Entry[" + key + " v" + version + ", " + value.length + " bytes"
                + expiresAt.map(t -> ", expires " + t).orElse("") + "]";
    }
}
