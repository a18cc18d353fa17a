package dev.meshjoin.core.lighthouse;

import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.net.Ipv4Address;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The certificates a lighthouse issued in the last minutes, by overlay address. A member polls its
 * lighthouse right after its join, and on an eventually consistent store (Workers KV: up to 60 s)
 * the lease the lighthouse wrote may not be visible to the lighthouse's own reads yet; without this
 * its first poll was refused as from an unknown caller. Memory only, bounded in time and size: the
 * store stays the record, and a lighthouse that restarts reads it from there.
 */
final class JustAdmitted {
    /** Longer than any store's propagation bound; after it the lease is read from the store. */
    static final Duration KEEP = Duration.ofMinutes(5);
    /** A flood of joins cannot grow it without bound (the signing service limits them too). */
    static final int MAX = 4096;

    private record Admission(HostCertificate certificate, Instant at) {
    }

    private final Map<Ipv4Address, Admission> byAddress = new ConcurrentHashMap<>();

    void remember(HostCertificate issued, Instant at) {
        if (byAddress.size() >= MAX) {
            prune(at);
            if (byAddress.size() >= MAX) {
                return; // still full of fresh admissions: the store answers for the rest
            }
        }
        byAddress.put(issued.address(), new Admission(issued, at));
    }

    /** The certificate issued for {@code address} within {@link #KEEP} of {@code now}, still valid then. */
    Optional<HostCertificate> get(Ipv4Address address, Instant now) {
        Admission a = byAddress.get(address);
        if (a == null) {
            return Optional.empty();
        }
        if (now.isAfter(a.at().plus(KEEP)) || now.isAfter(a.certificate().notAfter())) {
            byAddress.remove(address, a);
            return Optional.empty();
        }
        return Optional.of(a.certificate());
    }

    int size() {
        return byAddress.size();
    }

    private void prune(Instant now) {
        for (Iterator<Admission> it = byAddress.values().iterator(); it.hasNext(); ) {
            if (now.isAfter(it.next().at().plus(KEEP))) {
                it.remove();
            }
        }
    }
}
