package dev.meshjoin.core.presence;

import dev.meshjoin.api.ConfigurationException;
import java.util.List;

/**
 * What a node offers as an entry point: the port on its public address where something really
 * listens, and what it serves there.
 */
public record EntryPointSpec(int port, List<String> services) {
    public EntryPointSpec {
        if (port < 1 || port > 65535) {
            throw new ConfigurationException("entry point port " + port + " is outside 1..65535");
        }
        services = List.copyOf(services);
    }
}
