package dev.meshjoin.core.signing;

import dev.meshjoin.api.RefusalReason;
import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.JoinRefusedException;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.Entry;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.record.StoreKeys;
import dev.meshjoin.core.record.Versioned;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Creates enrollment tokens and consumes their uses. A token's record holds only its hash; each
 * admitted join raises {@code uses} by compare-and-set, so concurrent joins on several lighthouses
 * never admit more than {@code maxUses} (on a linearizable store).
 *
 * <pre>{@code
 * EnrollmentToken t = new EnrollmentTokens(store, StoreKeys.of("prod"), clock)
 *         .create(List.of("workers"), Duration.ofHours(24), 10);
 * System.out.println(t.text()); // shown once; hand it to the workers
 * }</pre>
 */
public final class EnrollmentTokens {
    /** The groups no token may grant. */
    public static final List<String> RESERVED_GROUPS = List.of(dev.meshjoin.core.lighthouse.Lighthouse.GROUP);
    private static final Duration KEEP_AFTER_EXPIRY = Duration.ofDays(1);

    private final BootstrapStore store;
    private final StoreKeys keys;
    private final Clock clock;

    public EnrollmentTokens(BootstrapStore store, StoreKeys keys, Clock clock) {
        this.store = store;
        this.keys = keys;
        this.clock = clock;
    }

    /** The key of a token's record. */
    public static String key(StoreKeys keys, String id) {
        return keys.root() + "tokens/" + id;
    }

    /**
     * Creates a token and stores its hash.
     *
     * @param groups the groups it grants (DNS labels, not {@code lighthouse})
     * @param validity how long it admits joins
     * @param maxUses how many joins it admits (at least 1)
     * @return the token, whose text is shown once and kept nowhere
     */
    public EnrollmentToken create(List<String> groups, Duration validity, int maxUses) {
        for (String g : groups) {
            StoreKeys.checkName("group", g);
            if (RESERVED_GROUPS.contains(g)) {
                throw new ConfigurationException("group '" + g + "' is given to lighthouses only; a token cannot grant it");
            }
        }
        if (validity.isNegative() || validity.isZero()) {
            throw new ConfigurationException("a token's validity must be positive, got " + validity);
        }
        if (maxUses < 1) {
            throw new ConfigurationException("a token must admit at least one join, got --uses " + maxUses);
        }
        String caFingerprint = dev.meshjoin.core.record.NetworkRecords.read(store, keys)
                .orElseThrow(() -> new ConfigurationException("network " + keys.networkName() + " does not exist in "
                        + store.name() + " yet; a token names the network's CA, so found the network first"))
                .caFingerprint();
        Instant now = clock.instant();
        for (int attempt = 0; attempt < 3; attempt++) {
            EnrollmentToken token = EnrollmentToken.generate(caFingerprint);
            TokenRecord rec = new TokenRecord(Versioned.SCHEMA, token.id(), token.hash(), List.copyOf(groups), now,
                    now.plus(validity), maxUses, 0);
            if (store.putIfAbsent(key(keys, token.id()), Json.write(rec), validity.plus(KEEP_AFTER_EXPIRY)).isPresent()) {
                return token;
            }
        }
        throw new IllegalStateException("three random token ids collided; the random source is broken");
    }

    /** Every token record of the network (expired ones until the store drops them a day later), by id. */
    public List<TokenRecord> list() {
        List<TokenRecord> out = new java.util.ArrayList<>();
        for (dev.meshjoin.api.store.KeyVersion kv : store.list(keys.root() + "tokens/")) {
            store.get(kv.key()).ifPresent(e -> out.add(Json.read(e.value(), TokenRecord.class, kv.key())));
        }
        out.sort(java.util.Comparator.comparing(TokenRecord::createdAt).thenComparing(TokenRecord::id));
        return out;
    }

    /**
     * Revokes a token: its record is deleted, so a join presenting it is refused as
     * {@code bad-credential} from then on (on an eventual store, within its propagation bound).
     * Nodes that already joined with it keep their certificates; revoke those separately.
     *
     * @return false when there is no such token
     */
    public boolean revoke(String id) {
        if (!Credential.isTokenId(id)) {
            throw new ConfigurationException("'" + id + "' is not a token id: 16 hex digits, as meshctl token list shows");
        }
        String k = key(keys, id);
        for (int round = 0; round < 8; round++) {
            Optional<Entry> e = store.get(k);
            if (e.isEmpty()) {
                return false;
            }
            if (store.delete(k, e.get().version())) {
                return true;
            }
        }
        throw new dev.meshjoin.api.store.StoreException(store.name(), "revoke " + k,
                "the token record kept changing under concurrent joins; try again", true);
    }

    /** The record of a token, by id. */
    public Optional<TokenRecord> find(String id) {
        if (!Credential.isTokenId(id)) {
            return Optional.empty();
        }
        String k = key(keys, id);
        return store.get(k).map(e -> Json.read(e.value(), TokenRecord.class, k));
    }

    /**
     * Checks a presented token and consumes one use.
     *
     * @param requestedGroups refused before a use is consumed when not all granted by the token
     * @return the token's record after this use
     * @throws JoinRefusedException {@code bad-credential} (unknown or wrong; the two are not told
     *     apart), {@code token-expired}, {@code token-used-up} or {@code group-not-allowed}
     */
    TokenRecord consume(String presented, List<String> requestedGroups) {
        EnrollmentToken.Parsed parsed = EnrollmentToken.parse(presented);
        if (parsed == null) {
            throw badToken();
        }
        String k = key(keys, parsed.id());
        byte[] presentedHash = SigningCrypto.sha256(presented.getBytes(StandardCharsets.US_ASCII));
        for (int round = 0; round < 16; round++) {
            Optional<Entry> entry;
            try {
                entry = store.get(k);
            } catch (dev.meshjoin.core.trust.TamperedStoreException e) {
                // A token record the CA did not sign grants nothing; the operator learns why from the log.
                org.slf4j.LoggerFactory.getLogger(EnrollmentTokens.class).error("{}", e.getMessage());
                throw new JoinRefusedException(RefusalReason.BAD_CREDENTIAL, "the enrollment token's record " + k
                        + " is not signed by the network's CA, so it grants nothing; ask the operator for a token"
                        + " made with meshctl token create");
            }
            if (entry.isEmpty()) {
                throw badToken();
            }
            TokenRecord rec = Json.read(entry.get().value(), TokenRecord.class, k);
            byte[] storedHash;
            try {
                storedHash = java.util.HexFormat.of().parseHex(rec.hash());
            } catch (IllegalArgumentException e) {
                throw badToken();
            }
            if (!MessageDigest.isEqual(storedHash, presentedHash)) {
                throw badToken();
            }
            if (!clock.instant().isBefore(rec.expiresAt())) {
                throw new JoinRefusedException(RefusalReason.TOKEN_EXPIRED, "enrollment token " + rec.id() + " expired at "
                        + rec.expiresAt() + "; ask the operator for a new one (meshctl token create)");
            }
            if (rec.uses() >= rec.maxUses()) {
                throw new JoinRefusedException(RefusalReason.TOKEN_USED_UP, "enrollment token " + rec.id() + " has admitted its "
                        + rec.maxUses() + " joins; ask the operator for a new one (meshctl token create)");
            }
            for (String g : requestedGroups) {
                if (!rec.groups().contains(g)) {
                    throw new JoinRefusedException(RefusalReason.GROUP_NOT_ALLOWED, "enrollment token " + rec.id()
                            + " does not grant group '" + g + "'; it grants " + rec.groups());
                }
            }
            TokenRecord next = rec.used();
            Duration ttl = Duration.between(clock.instant(), rec.expiresAt()).plus(KEEP_AFTER_EXPIRY);
            if (store.compareAndSet(k, entry.get().version(), Json.write(next), ttl).isPresent()) {
                return next;
            }
        }
        throw new JoinRefusedException(RefusalReason.BUSY, "enrollment token uses kept changing under concurrent joins; try again");
    }

    private static JoinRefusedException badToken() {
        return new JoinRefusedException(RefusalReason.BAD_CREDENTIAL, "the enrollment token is not valid for this network");
    }
}
