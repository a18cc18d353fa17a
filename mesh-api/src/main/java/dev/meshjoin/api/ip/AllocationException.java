package dev.meshjoin.api.ip;

import dev.meshjoin.api.MeshException;

/**
 * No address could be allocated: the network is full (release leaves or widen the CIDR), or the
 * node name is held by another key (leave with the old key first, or choose another name).
 */
public class AllocationException extends MeshException {
    private static final long serialVersionUID = 1L;

    public AllocationException(String message) {
        super(message);
    }
}
