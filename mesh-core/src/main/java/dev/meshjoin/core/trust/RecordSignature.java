package dev.meshjoin.core.trust;

import java.util.Objects;

/**
 * One CA signature on a record, as stored in its {@code signatures} array.
 *
 * @param by the fingerprint of the CA certificate whose key signed
 * @param sig the Ed25519 signature, base64
 */
public record RecordSignature(String by, String sig) {
    public RecordSignature {
        Objects.requireNonNull(by, "by");
        Objects.requireNonNull(sig, "sig");
    }
}
