package dev.meshjoin.api.join;

import dev.meshjoin.api.JoinRefusedException;
import java.util.List;

/**
 * Decides whether a join request may proceed and which groups its credential allows. The signing
 * service consults it before anything is allocated or signed.
 */
@FunctionalInterface
public interface Admission {

    /**
     * Checks the request's credential.
     *
     * @param request the request
     * @param source where it came from, for rate limits and the audit log
     * @return the groups this credential may be granted (the service grants the intersection with
     *     what was asked for)
     * @throws JoinRefusedException when the request is not admitted
     */
    List<String> admit(JoinRequest request, String source);

    /**
     * Called when this node is about to serve joins for {@code network} (after founding it, or before
     * a restarted or an additional lighthouse writes anything): an admission that keeps state in the
     * store publishes it, or checks that this node's configuration agrees with it. The default does
     * nothing.
     *
     * @throws dev.meshjoin.api.ConfigurationException when this node's configuration differs from the
     *     network's (such as another network secret), saying what to fix
     */
    default void prepare(JoinNetwork network) {
    }
}
