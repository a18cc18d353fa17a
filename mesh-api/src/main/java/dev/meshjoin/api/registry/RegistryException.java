package dev.meshjoin.api.registry;

import dev.meshjoin.api.MeshException;

/** The registry could not do what was asked: no lighthouse answered a lookup, or an announcement was refused. */
public class RegistryException extends MeshException {
    private static final long serialVersionUID = 1L;

    public RegistryException(String message) {
        super(message);
    }

    public RegistryException(String message, Throwable cause) {
        super(message, cause);
    }
}
