package dev.meshjoin.api.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** One row of a listing: a key, its current version and expiry, without the value. */
public record KeyVersion(String key, long version, Optional<Instant> expiresAt) {
    public KeyVersion {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }
}
