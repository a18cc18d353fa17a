package dev.meshjoin.core.address;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of public address detection: the address, the source that decided, and what every
 * source said along the way (so an operator can see why a candidate was refused).
 *
 * @param address the public address
 * @param source which source decided
 * @param notes one line per source consulted, in order
 */
public record DetectedAddress(InetAddress address, Source source, List<String> notes) {

    /** The sources, in order of trust. */
    public enum Source {
        /** Set by the operator. */
        CONFIGURED,
        /** The address a lighthouse's signing service saw the join request come from. */
        OBSERVED_BY_LIGHTHOUSE,
        /** Agreed by enough HTTP echo endpoints. */
        HTTP_ECHO,
        /** A public address on a local interface. */
        LOCAL_INTERFACE
    }

    public DetectedAddress {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(source, "source");
        notes = List.copyOf(notes);
    }
}
