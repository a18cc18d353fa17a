package dev.meshjoin.core.record;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The certificates a lighthouse issued to one node that have not expired, at
 * {@code mesh/<network>/certs/<node>}: what a revocation must block (a renewed node still holds
 * valid older certificates) and when its address may be reused.
 *
 * @param schema {@link Versioned#SCHEMA}
 * @param node the node
 * @param certificates newest last
 */
public record IssuedCertificates(int schema, String node, List<Issued> certificates) implements Versioned {
    public IssuedCertificates {
        Objects.requireNonNull(node, "node");
        certificates = List.copyOf(certificates);
    }

    /**
     * One certificate.
     *
     * @param fingerprint its fingerprint
     * @param keyId SHA-256 (hex) of the public key it certifies
     * @param notBefore start of validity
     * @param notAfter end of validity
     */
    public record Issued(String fingerprint, String keyId, Instant notBefore, Instant notAfter) {
        public Issued {
            Objects.requireNonNull(fingerprint, "fingerprint");
            Objects.requireNonNull(keyId, "keyId");
            Objects.requireNonNull(notBefore, "notBefore");
            Objects.requireNonNull(notAfter, "notAfter");
        }
    }
}
