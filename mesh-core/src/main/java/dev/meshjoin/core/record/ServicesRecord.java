package dev.meshjoin.core.record;

import dev.meshjoin.api.registry.ServiceInstance;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The service instances one lighthouse saw live, at {@code mesh/<network>/services/<lighthouse>}:
 * written only when that set changes (an instance comes or goes), never for a load report, so a
 * steady mesh writes nothing. Operators list it with {@code meshctl services}; routing never reads
 * it (whoever can write the store could forge it), it asks the lighthouses over the overlay.
 *
 * @param schema {@link Versioned#SCHEMA}
 * @param lighthouse the writer
 * @param writtenAt when it was written
 * @param instances what was live then
 */
public record ServicesRecord(int schema, String lighthouse, Instant writtenAt, List<Listed> instances)
        implements Versioned {
    public ServicesRecord {
        Objects.requireNonNull(lighthouse, "lighthouse");
        Objects.requireNonNull(writtenAt, "writtenAt");
        instances = List.copyOf(instances);
    }

    /**
     * One instance.
     *
     * @param node the node offering it
     * @param overlayAddress its address
     * @param instance what it announced
     */
    public record Listed(String node, String overlayAddress, ServiceInstance instance) {
        public Listed {
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(overlayAddress, "overlayAddress");
            Objects.requireNonNull(instance, "instance");
        }
    }
}
