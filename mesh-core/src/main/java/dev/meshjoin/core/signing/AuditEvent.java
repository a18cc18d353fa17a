package dev.meshjoin.core.signing;

import dev.meshjoin.core.record.Versioned;
import java.time.Instant;
import java.util.Objects;

/**
 * One decision of a signing service, at {@code mesh/<network>/audit/<yyyy-mm-dd>/<millis>-<random>}.
 * It names the credential by its id ({@code network-secret}, {@code token:<id>}), never a secret.
 *
 * @param schema {@link Versioned#SCHEMA}
 * @param at when it was decided
 * @param lighthouse the lighthouse that decided
 * @param outcome {@code admitted}, {@code refused} or {@code rate-limited}
 * @param reason a stable code ({@code bad-credential}, {@code replayed}, ...), or {@code ok}
 * @param node the node name asked for, when the request could be read, else null
 * @param credential the credential id, or null
 * @param source the address the request came from
 * @param address the overlay address granted, or null
 * @param certificateFingerprint the certificate issued, or null
 * @param detail the message the joiner was given
 * @param suppressed how many events before this one were only logged, not stored, because the
 *     audit write budget was spent (a flood); 0 normally
 */
public record AuditEvent(int schema, Instant at, String lighthouse, String outcome, String reason, String node,
                         String credential, String source, String address, String certificateFingerprint,
                         String detail, long suppressed) implements Versioned {
    public AuditEvent {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(reason, "reason");
    }

    AuditEvent withSuppressed(long n) {
        return new AuditEvent(schema, at, lighthouse, outcome, reason, node, credential, source, address,
                certificateFingerprint, detail, n);
    }
}
