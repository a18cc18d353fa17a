package dev.meshjoin.core.trust;

import dev.meshjoin.api.MeshException;

/**
 * A record that grants trust failed its check: it is not signed by a CA this node trusts, its
 * signature does not cover what is stored, or its MAC is not the network secret's. Nothing was
 * acted on and the record was left as it is, so an operator can inspect it.
 */
public final class TamperedStoreException extends MeshException {
    private static final long serialVersionUID = 1L;
    private final String key;

    public TamperedStoreException(String key, String message) {
        super(message);
        this.key = key;
    }

    /** The store key of the refused record. */
    public String key() {
        return key;
    }
}
