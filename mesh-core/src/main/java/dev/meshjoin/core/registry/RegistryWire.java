package dev.meshjoin.core.registry;

import dev.meshjoin.api.registry.LiveInstance;
import dev.meshjoin.api.registry.ServiceInstance;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The lookup's wire format, {@code GET /v1/services?name=NAME} on a lighthouse's state service.
 * Ages instead of times: the lighthouse's clock and the asker's need not agree.
 */
public final class RegistryWire {
    /** The query parameter naming the service; without it every live instance is listed. */
    public static final String NAME = "name";

    private RegistryWire() {
    }

    /**
     * One instance as a lighthouse saw it.
     *
     * @param node the node offering it
     * @param overlayAddress its overlay address (the source of its polls, which Nebula authenticated)
     * @param instance what it announced
     * @param load its last reported load
     * @param ageMillis how long ago its node last polled this lighthouse
     */
    public record Found(String node, String overlayAddress, ServiceInstance instance, double load, long ageMillis) {
        public Found {
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(overlayAddress, "overlayAddress");
            Objects.requireNonNull(instance, "instance");
        }

        /** As a {@link LiveInstance}, seen {@code ageMillis} before {@code now}. */
        public LiveInstance live(Instant now) {
            return new LiveInstance(instance, node, overlayAddress, load, now.minusMillis(Math.max(0, ageMillis)));
        }
    }

    /**
     * A lookup's answer.
     *
     * @param schema 1
     * @param name the service asked for, or null for all
     * @param instances the live ones
     */
    public record Answer(int schema, String name, List<Found> instances) {
        public Answer {
            instances = List.copyOf(instances);
        }
    }
}
