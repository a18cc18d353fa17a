package dev.meshjoin.api.registry;

import java.lang.management.ManagementFactory;

/**
 * Tells the registry how busy this node's services are: the figure rides on every poll of the
 * lighthouses, and routers prefer instances with a lower one. Any non-negative figure works as long
 * as the nodes of a network use the same kind, such as requests in flight divided by the weight.
 * It is asked once per poll and must return quickly; a failure or a negative figure counts as 0.
 */
@FunctionalInterface
public interface LoadReporter {

    /** The load now; 0 is idle. */
    double load();

    /** The default: the system load average per processor (0 where the platform gives none). */
    static LoadReporter systemLoad() {
        return () -> {
            double avg = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            return avg < 0 ? 0 : avg / Runtime.getRuntime().availableProcessors();
        };
    }

    /** Always {@code value}. */
    static LoadReporter fixed(double value) {
        return () -> value;
    }
}
