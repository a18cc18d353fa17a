package dev.meshjoin.api.store;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The argument checks every {@link BootstrapStore} makes before touching its backend, so that a
 * bad key, value or time-to-live is refused the same way by every store and nothing is sent.
 */
public final class StoreLimits {
    private StoreLimits() {
    }

    /** Refuses empty keys, keys with control characters, and keys over the store's byte limit. */
    public static void checkKey(BootstrapStore store, String operation, String key) {
        if (key == null || key.isEmpty()) {
            throw new StoreLimitException(store.name(), operation, "the key is empty");
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new StoreLimitException(store.name(), operation + " " + printable(key),
                        "the key contains a control character at index " + i);
            }
        }
        int bytes = key.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > store.maxKeyBytes()) {
            throw new StoreLimitException(store.name(), operation + " " + printable(key),
                    "the key is " + bytes + " bytes; this store accepts at most " + store.maxKeyBytes());
        }
    }

    /** Refuses prefixes with control characters or over the key limit; the empty prefix is allowed. */
    public static void checkPrefix(BootstrapStore store, String operation, String prefix) {
        if (prefix == null) {
            throw new StoreLimitException(store.name(), operation, "the prefix is null; pass \"\" to list everything");
        }
        if (!prefix.isEmpty()) {
            checkKey(store, operation, prefix);
        }
    }

    /** Refuses null values and values over the store's byte limit. */
    public static void checkValue(BootstrapStore store, String operation, String key, byte[] value) {
        if (value == null) {
            throw new StoreLimitException(store.name(), operation + " " + printable(key), "the value is null");
        }
        if (value.length > store.maxValueBytes()) {
            throw new StoreLimitException(store.name(), operation + " " + printable(key),
                    "the value is " + value.length + " bytes; this store accepts at most " + store.maxValueBytes());
        }
    }

    /** Refuses a time-to-live shorter than the store's minimum; {@code null} (no expiry) is allowed. */
    public static void checkTtl(BootstrapStore store, String operation, String key, Duration ttl) {
        if (ttl != null && ttl.compareTo(store.minTtl()) < 0) {
            throw new StoreLimitException(store.name(), operation + " " + printable(key),
                    "time-to-live " + ttl + " is shorter than this store's minimum " + store.minTtl());
        }
    }

    /** All of the above for a write. */
    public static void checkWrite(BootstrapStore store, String operation, String key, byte[] value, Duration ttl) {
        checkKey(store, operation, key);
        checkValue(store, operation, key, value);
        checkTtl(store, operation, key, ttl);
    }

    private static String printable(String key) {
        StringBuilder sb = new StringBuilder();
        int limit = Math.min(key.length(), 80);
        for (int i = 0; i < limit; i++) {
            char c = key.charAt(i);
            sb.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return key.length() > limit ? sb + "..." : sb.toString();
    }
}
