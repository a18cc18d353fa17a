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
}
