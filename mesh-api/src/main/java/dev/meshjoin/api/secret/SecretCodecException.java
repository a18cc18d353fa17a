package dev.meshjoin.api.secret;

import dev.meshjoin.api.MeshException;

/**
 * A sealed value could not be opened: it was tampered with, truncated, moved to another key,
 * sealed under a key this codec does not hold, or is not in this codec's format. Nothing is ever
 * returned from a value that fails authentication.
 */
public class SecretCodecException extends MeshException {
    private static final long serialVersionUID = 1L;

    public SecretCodecException(String message) {
        super(message);
    }

    public SecretCodecException(String message, Throwable cause) {
        super(message, cause);
    }
}
