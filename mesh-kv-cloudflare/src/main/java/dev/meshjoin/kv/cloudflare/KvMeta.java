package dev.meshjoin.kv.cloudflare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;

/**
 * The metadata this store keeps beside every value: version, expiry, a digest of the value and a
 * random write id. Digest and write id together identify one write, so after an answer that was
 * lost (a timeout, a 5xx, a 429) the store can tell from the metadata alone whether <em>its</em>
 * write landed, instead of sending it again.
 *
 * @param version the entry's version; 1 for keys written by other tools
 * @param expiresAt the expiry in whole seconds, or null
 * @param digest the value's digest, or null for keys written by other tools
 * @param writeId random per write, or null for keys written by other tools
 */
record KvMeta(long version, Instant expiresAt, String digest, String writeId) {
    /** The marker in metadata written by this store; other writers' keys read as version 1. */
    static final String MARK = "meshjoin";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    static KvMeta forWrite(byte[] value, long version, Instant expiresAt) {
        byte[] id = new byte[9];
        RANDOM.nextBytes(id);
        return new KvMeta(version, expiresAt, digest(value), Base64.getUrlEncoder().withoutPadding().encodeToString(id));
    }

    static KvMeta from(JsonNode node) {
        if (node == null || !node.isObject() || !node.has(MARK)) {
            return new KvMeta(1, null, null, null);
        }
        long v = node.path("v").asLong(1);
        Instant exp = node.hasNonNull("exp") ? Instant.ofEpochSecond(node.get("exp").asLong()) : null;
        String sha = node.hasNonNull("sha") ? node.get("sha").asText() : null;
        String w = node.hasNonNull("w") ? node.get("w").asText() : null;
        return new KvMeta(Math.max(1, v), exp, sha, w);
    }

    /** The metadata as the JSON object sent in the {@code metadata} part. */
    byte[] toJson() {
        ObjectNode meta = JSON.createObjectNode();
        meta.put(MARK, 1);
        meta.put("v", version);
        meta.put("sha", digest);
        meta.put("w", writeId);
        if (expiresAt != null) {
            meta.put("exp", expiresAt.getEpochSecond());
        }
        return meta.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** True when {@code other} is the metadata of this very write. */
    boolean sameWrite(KvMeta other) {
        return other != null && writeId != null && version == other.version
                && constantTimeEquals(writeId, other.writeId) && constantTimeEquals(digest, other.digest);
    }

    boolean expiredAt(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }

    static String digest(byte[] value) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(value);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(h, 12));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static boolean constantTimeEquals(String a, String b) {
        return a != null && b != null && MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8),
                b.getBytes(StandardCharsets.UTF_8));
    }
}
