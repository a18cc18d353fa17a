package dev.meshjoin.core.state;

import dev.meshjoin.api.MeshException;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.record.Versioned;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * What a lighthouse serves a member over the overlay ({@code POST /v1/state}): the network's
 * state, the member's own part, and a version. An unchanged document is answered 304 against
 * its ETag, so a poll that brings nothing new costs a few hundred bytes.
 *
 * @param schema {@link Versioned#SCHEMA}
 * @param state the network-wide part, which {@code signatures} cover (its canonical JSON, under the
 *     context {@code mesh/<network>/state}); the member's part is not signed, it only concerns the caller
 * @param member the caller's own part
 * @param signatures the network CA's signatures over {@code state} (see {@link #signedContext})
 */
public record StateDocument(int schema, NetworkState state, MemberState member,
                            java.util.List<dev.meshjoin.core.trust.RecordSignature> signatures) implements Versioned {
    public StateDocument {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(member, "member");
        signatures = signatures == null ? java.util.List.of() : java.util.List.copyOf(signatures);
    }

    /** What the signatures are made under: the network's state key, which no store record uses. */
    public static String signedContext(dev.meshjoin.core.record.StoreKeys keys) {
        return keys.root() + "state";
    }

    /** The network part as the JSON tree the signatures cover. */
    public com.fasterxml.jackson.databind.JsonNode signedPart() {
        return Json.mapper().valueToTree(state);
    }

    /** The JSON bytes as served; the same document always gives the same bytes. */
    public byte[] bytes() {
        return Json.write(this);
    }

    /** A strong ETag: the first 128 bits of SHA-256 of {@link #bytes()}, quoted. */
    public String etag() {
        return etagOf(bytes());
    }

    /** The ETag of served bytes. */
    public static String etagOf(byte[] bytes) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(bytes);
            return "\"" + HexFormat.of().formatHex(d, 0, 16) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    /**
     * Parses a served document strictly (unknown fields refused).
     *
     * @throws MeshException naming the lighthouse when it does not parse
     */
    public static StateDocument parse(byte[] bytes, String from) {
        try {
            StateDocument d = Json.mapper().readValue(bytes, StateDocument.class);
            if (d == null || d.schema() != Versioned.SCHEMA) {
                throw new MeshException("the state document from " + from + " has schema "
                        + (d == null ? "none" : d.schema()) + "; this meshjoin reads " + Versioned.SCHEMA);
            }
            return d;
        } catch (IOException | RuntimeException e) {
            if (e instanceof MeshException m) {
                throw m;
            }
            throw new MeshException("the state document from " + from + " does not parse (" + e.getMessage()
                    + "); the lighthouse may run another meshjoin version", e);
        }
    }
}
