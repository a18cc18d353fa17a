package dev.meshjoin.core;

import dev.meshjoin.api.ca.HostCertificate;

/**
 * Told of what a node and its lighthouse duties do besides changing state, for monitoring (the
 * {@code mesh-micrometer} module counts these). Every method has an empty default, so a listener
 * implements only what it needs. Called on the thread that did the work: return quickly and never
 * throw (what a listener throws is logged and dropped).
 */
public interface NodeEvents {
    /** Listens to nothing. */
    NodeEvents NONE = new NodeEvents() { };

    /** This node installed a new certificate: renewed through a lighthouse, or joined again for it. */
    default void certificateRenewed(HostCertificate next) {
    }

    /**
     * This lighthouse's signing service decided a join request.
     *
     * @param outcome {@code admitted}, {@code refused} or {@code rate-limited}
     * @param reason {@code ok} for an admission, else the stable refusal code the joiner was sent
     *     (a {@link dev.meshjoin.api.RefusalReason} code, or a transport code such as {@code method-not-allowed})
     */
    default void joinDecided(String outcome, String reason) {
    }
}
