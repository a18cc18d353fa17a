package dev.meshjoin.api;

/**
 * The network refused to admit this node: bad credentials, a name already taken by another key,
 * a request for an address or group the credential does not grant. Retrying the same request
 * will not help; the message says which part to change.
 */
public class JoinRefusedException extends MeshException {
    private static final long serialVersionUID = 1L;
    private final String reason;

    public JoinRefusedException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** A stable, machine-readable code such as {@code bad-credential} or {@code invalid-name}. */
    public String reason() {
        return reason;
    }
}
