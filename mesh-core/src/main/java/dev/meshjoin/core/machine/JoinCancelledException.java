package dev.meshjoin.core.machine;

import dev.meshjoin.api.MeshException;

/** The join was cancelled because the node was closed or left while it ran. */
public final class JoinCancelledException extends MeshException {
    private static final long serialVersionUID = 1L;

    public JoinCancelledException(String message) {
        super(message);
    }
}
