package dev.meshjoin.core.lifecycle;

import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.Entry;
import dev.meshjoin.core.join.Registrar;
import dev.meshjoin.core.record.IssuedCertificates;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.record.StoreKeys;
import dev.meshjoin.core.record.Versioned;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The unexpired certificates issued to each node ({@code mesh/<network>/certs/<node>}), written
 * by the lighthouse that issues one: one write per join or renewal. A revocation blocks all of them.
 */
public final class CertificateLedger {
    private static final Logger LOG = LoggerFactory.getLogger(CertificateLedger.class);
    private static final int ROUNDS = 5;

    private CertificateLedger() {
    }

    /** The node's unexpired certificates at {@code now}, newest last; empty when none is recorded. */
    public static List<IssuedCertificates.Issued> of(BootstrapStore store, StoreKeys keys, String node, Instant now) {
        return store.get(keys.issued(node)).map(e -> Json.read(e.value(), IssuedCertificates.class, e.key()))
                .map(r -> r.certificates().stream().filter(c -> c.notAfter().isAfter(now)).toList())
                .orElse(List.of());
    }

    /** Records a certificate just issued; older expired ones are dropped. Best effort: false when it kept changing. */
    public static boolean record(BootstrapStore store, StoreKeys keys, HostCertificate cert, Instant now) {
        String key = keys.issued(cert.name());
        IssuedCertificates.Issued issued = new IssuedCertificates.Issued(cert.fingerprint(),
                Registrar.keyId(cert.publicKey()), cert.notBefore(), cert.notAfter());
        for (int round = 0; round < ROUNDS; round++) {
            Optional<Entry> current = store.get(key);
            if (current.isPresent() && Json.read(current.get().value(), IssuedCertificates.class, key).certificates()
                    .stream().anyMatch(c -> c.fingerprint().equals(cert.fingerprint()))) {
                return true;
            }
            List<IssuedCertificates.Issued> list = new ArrayList<>();
            current.ifPresent(e -> Json.read(e.value(), IssuedCertificates.class, key).certificates().stream()
                    .filter(c -> c.notAfter().isAfter(now) && !c.fingerprint().equals(cert.fingerprint()))
                    .forEach(list::add));
            list.add(issued);
            byte[] bytes = Json.write(new IssuedCertificates(Versioned.SCHEMA, cert.name(), list));
            boolean ok = current.isEmpty() ? store.putIfAbsent(key, bytes).isPresent()
                    : store.compareAndSet(key, current.get().version(), bytes).isPresent();
            if (ok) {
                return true;
            }
        }
        LOG.warn("{} kept changing; certificate {} is not in it", key, cert.fingerprint());
        return false;
    }
}
