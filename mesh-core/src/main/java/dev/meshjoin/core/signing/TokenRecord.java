package dev.meshjoin.core.signing;

import dev.meshjoin.core.record.Versioned;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * An enrollment token as the store keeps it, at {@code mesh/<network>/tokens/<id>}: only the
 * SHA-256 of the token, never the token.
 *
 * @param schema {@link Versioned#SCHEMA}
 * @param id the token's public id (16 hex digits, also inside the token)
 * @param hash lower-case hex SHA-256 of the whole token text
 * @param groups the groups a node joining with it may receive
 * @param createdAt when it was created
 * @param expiresAt after this instant it admits nobody
 * @param maxUses how many joins it admits in all
 * @param uses how many it has admitted; raised by compare-and-set, one per admitted join
 */
public record TokenRecord(int schema, String id, String hash, List<String> groups, Instant createdAt, Instant expiresAt,
                          int maxUses, int uses) implements Versioned {
    public TokenRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(hash, "hash");
        groups = List.copyOf(groups);
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    TokenRecord used() {
        return new TokenRecord(schema, id, hash, groups, createdAt, expiresAt, maxUses, uses + 1);
    }
}
