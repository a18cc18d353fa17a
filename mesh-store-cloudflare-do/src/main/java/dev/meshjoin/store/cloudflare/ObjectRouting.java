package dev.meshjoin.store.cloudflare;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which Durable Object holds a key: the keys {@code mesh/<network>/…} of one network live in the
 * object named {@code <network>}; every other key lives in the object {@code default}. One object
 * per network keeps networks apart (their own SQLite database, their own queue of requests) and
 * lets every conditional write of a network be checked by the one object that serialises them.
 */
final class ObjectRouting {
    /** The object for keys outside {@code mesh/<network>/}. */
    static final String DEFAULT_OBJECT = "default";
    private static final String MESH = "mesh/";
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._-]{1,100}");

    private final String objectPrefix;

    ObjectRouting(String objectPrefix) {
        this.objectPrefix = objectPrefix;
    }

    /** The object that holds {@code key}. */
    String objectFor(String key) {
        if (key.startsWith(MESH)) {
            int end = key.indexOf('/', MESH.length());
            if (end > MESH.length()) {
                String network = key.substring(MESH.length(), end);
                if (SEGMENT.matcher(network).matches()) {
                    return objectPrefix + network;
                }
            }
        }
        return objectPrefix + DEFAULT_OBJECT;
    }

    /**
     * The one object holding every key that starts with {@code prefix}, or empty when such keys
     * may live in several objects (such as {@code ""} or {@code "mesh/"}, which span networks).
     */
    Optional<String> objectForPrefix(String prefix) {
        if (MESH.startsWith(prefix)) {
            return Optional.empty();
        }
        if (prefix.startsWith(MESH)) {
            String rest = prefix.substring(MESH.length());
            int slash = rest.indexOf('/');
            if (slash < 0) {
                // "mesh/pro" matches mesh/prod/… and mesh/proxy/…, unless no network could start so.
                boolean couldBeANetwork = rest.chars().allMatch(c -> c < 128 && SEGMENT.matcher(String.valueOf((char) c)).matches());
                return couldBeANetwork ? Optional.empty() : Optional.of(objectPrefix + DEFAULT_OBJECT);
            }
            return Optional.of(objectFor(prefix));
        }
        return Optional.of(objectPrefix + DEFAULT_OBJECT);
    }
}
