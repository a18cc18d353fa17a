package dev.meshjoin.nebula.cert;

import dev.meshjoin.api.ca.InvalidCertificateException;
import dev.meshjoin.api.ca.InvalidCertificateException.Reason;
import dev.meshjoin.api.net.Ipv4Interface;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The rules a CA imposes on what it signs, as Nebula checks them: the child's validity lies inside
 * the CA's, its groups are among the CA's groups (when the CA lists any), and each of its addresses
 * and subnets lies inside one of the CA's networks with a prefix at least as long (when the CA
 * lists any).
 */
final class Constraints {
    private Constraints() {
    }

    /** @throws InvalidCertificateException ({@code CONSTRAINT_VIOLATION}) naming the first rule broken */
    static void check(NebulaCertificate.Details ca, NebulaCertificate.Details child) {
        if (child.notAfter().isAfter(ca.notAfter())) {
            throw violation("the certificate expires at " + child.notAfter() + ", after its CA '" + ca.name()
                    + "' does at " + ca.notAfter() + "; ask for a shorter validity");
        }
        if (child.notBefore().isBefore(ca.notBefore())) {
            throw violation("the certificate is valid from " + child.notBefore() + ", before its CA '" + ca.name()
                    + "' is at " + ca.notBefore());
        }
        if (!ca.groups().isEmpty()) {
            Set<String> allowed = new HashSet<>(ca.groups());
            for (String g : child.groups()) {
                if (!allowed.contains(g)) {
                    throw violation("the group '" + g + "' is not among the CA's groups " + ca.groups());
                }
            }
        }
        checkNetworks("address", ca.ips(), child.ips());
        checkNetworks("subnet", ca.subnets(), child.subnets());
    }

    private static void checkNetworks(String what, List<Ipv4Interface> allowed, List<Ipv4Interface> requested) {
        if (allowed.isEmpty()) {
            return;
        }
        for (Ipv4Interface r : requested) {
            boolean inside = allowed.stream().anyMatch(a -> a.network().contains(r.address())
                    && r.prefixLength() >= a.prefixLength());
            if (!inside) {
                throw violation("the " + what + " " + r + " lies outside the CA's networks "
                        + allowed.stream().map(a -> a.network().toString()).toList());
            }
        }
    }

    private static InvalidCertificateException violation(String message) {
        return new InvalidCertificateException(Reason.CONSTRAINT_VIOLATION, message);
    }
}
