package dev.meshjoin.core.router;

import dev.meshjoin.api.net.Endpoint;
import java.time.Duration;
import java.util.Objects;

/**
 * How a router forwards.
 *
 * @param bind where the local forwarder listens; default {@code 127.0.0.1:8480}
 * @param connectTimeout for connecting to an instance; default 2 s
 * @param requestTimeout until an instance's response headers arrive; default 30 s
 * @param hopLimit a request that passed this many forwarders is answered 508; default 4
 * @param attempts instances tried for a retryable request; default 3
 * @param cacheFor how long a lookup's answer is used before it is asked again; default 1 s
 * @param ejectFor how long an instance that could not be reached sits out; default 10 s
 * @param replayLimit an idempotent request's body up to this size is kept so that it can be sent
 *     to another instance; a larger one is streamed and sent once; default 1 MiB
 */
public record RouterSettings(Endpoint bind, Duration connectTimeout, Duration requestTimeout, int hopLimit, int attempts,
                             Duration cacheFor, Duration ejectFor, int replayLimit) {
    /** The default address, {@code 127.0.0.1:8480}. */
    public static final Endpoint DEFAULT_BIND = new Endpoint("127.0.0.1", 8480);

    public RouterSettings {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(cacheFor, "cacheFor");
        Objects.requireNonNull(ejectFor, "ejectFor");
        if (hopLimit < 1 || attempts < 1 || replayLimit < 0 || connectTimeout.isNegative() || connectTimeout.isZero()
                || requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("router settings: hop limit and attempts must be at least 1 and the"
                    + " timeouts positive");
        }
    }

    /** The defaults. */
    public static RouterSettings defaults() {
        return new RouterSettings(DEFAULT_BIND, Duration.ofSeconds(2), Duration.ofSeconds(30), 4, 3,
                Duration.ofSeconds(1), Duration.ofSeconds(10), 1 << 20);
    }

    public RouterSettings withBind(Endpoint v) {
        return new RouterSettings(v, connectTimeout, requestTimeout, hopLimit, attempts, cacheFor, ejectFor, replayLimit);
    }

    public RouterSettings withTimeouts(Duration connect, Duration request) {
        return new RouterSettings(bind, connect, request, hopLimit, attempts, cacheFor, ejectFor, replayLimit);
    }

    public RouterSettings withHopLimit(int v) {
        return new RouterSettings(bind, connectTimeout, requestTimeout, v, attempts, cacheFor, ejectFor, replayLimit);
    }

    public RouterSettings withCacheFor(Duration v) {
        return new RouterSettings(bind, connectTimeout, requestTimeout, hopLimit, attempts, v, ejectFor, replayLimit);
    }
}
