package dev.meshjoin.api;

import java.util.Objects;

/**
 * The network refused to admit this node: bad credentials, a name already taken by another key,
 * a request for an address or group the credential does not grant. Retrying the same request
 * will not help; the message says which part to change.
 */
public class JoinRefusedException extends MeshException {
    private static final long serialVersionUID = 1L;
    private final RefusalReason reason;

    public JoinRefusedException(RefusalReason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** Why: a reason with a stable wire code such as {@code bad-credential}. */
    public RefusalReason reason() {
        return reason;
    }
}
