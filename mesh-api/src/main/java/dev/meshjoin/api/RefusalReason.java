package dev.meshjoin.api;

/**
 * Why a join was refused. Each has a stable wire code (what the signing service sends and the
 * audit log records), so that old and new nodes understand each other.
 */
public enum RefusalReason {
    /** The credential is missing, malformed, or proves the wrong secret. */
    BAD_CREDENTIAL("bad-credential"),
    /** The enrollment token has expired. */
    TOKEN_EXPIRED("token-expired"),
    /** The enrollment token has no uses left. */
    TOKEN_USED_UP("token-used-up"),
    /** The request asks for a group the credential does not grant. */
    GROUP_NOT_ALLOWED("group-not-allowed"),
    /** The request asks for a group only lighthouses carry. */
    RESERVED_GROUP("reserved-group"),
    /** The node name is not a DNS label. */
    INVALID_NAME("invalid-name"),
    /** The public key is not a key of the network's kind. */
    INVALID_KEY("invalid-key"),
    /** The lighthouse serves another network. */
    WRONG_NETWORK("wrong-network"),
    /** No address can be given: the network is full, or the name is held by another key. */
    NO_ADDRESS("no-address"),
    /** The node or its key is revoked. */
    REVOKED("revoked"),
    /** No node holds the overlay address a state poll or renewal came from. */
    UNKNOWN_CALLER("unknown-caller"),
    /** A renewal presented another key than the one the caller's address is leased to. */
    KEY_MISMATCH("key-mismatch"),
    /** The lighthouse is overloaded; try again later. */
    BUSY("busy"),
    /** The CA refused to sign what the registrar granted. */
    CA_REFUSED("ca-refused"),
    /** This node's clock differs from the lighthouse's by more than the service allows. */
    CLOCK_SKEW("clock-skew"),
    /** The request was seen before (its nonce). */
    REPLAYED("replayed"),
    /** The credential joined too often lately. */
    JOIN_RATE_LIMITED("join-rate-limited"),
    /** The request does not parse as a join request. */
    BAD_REQUEST("bad-request"),
    /** The request is larger than the service accepts. */
    TOO_LARGE("too-large"),
    /** A code this node does not know (from a newer lighthouse). */
    OTHER("refused");

    private final String code;

    RefusalReason(String code) {
        this.code = code;
    }

    /** The wire code, such as {@code bad-credential}. */
    public String code() {
        return code;
    }

    /** The reason with this wire code; {@link #OTHER} for one this node does not know. */
    public static RefusalReason fromCode(String code) {
        for (RefusalReason r : values()) {
            if (r.code.equals(code)) {
                return r;
            }
        }
        return OTHER;
    }

    @Override
    public String toString() {
        return code;
    }
}
