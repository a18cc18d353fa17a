package dev.meshjoin.api.ca;

import dev.meshjoin.api.MeshException;

/**
 * A certificate, key or bundle was refused: it does not parse, is outside its validity, was not
 * signed by a trusted CA, breaks the CA's constraints, or is blocklisted. {@link #reason()} says
 * which, for callers that react differently (renew an expired one, alert on a bad signature).
 */
public class InvalidCertificateException extends MeshException {
    private static final long serialVersionUID = 1L;

    /** Why a certificate was refused. */
    public enum Reason {
        MALFORMED, EXPIRED, NOT_YET_VALID, UNTRUSTED_ISSUER, BAD_SIGNATURE, CONSTRAINT_VIOLATION, BLOCKLISTED, KEY_MISMATCH
    }

    private final Reason reason;

    public InvalidCertificateException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public InvalidCertificateException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
