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
 * @param state the network-wide part; {@code signature} will cover its canonical bytes
 * @param member the caller's own part
 * @param signature reserved for the CA's signature over {@code state}; null in this version
 */
public record StateDocument(int schema, NetworkState state, MemberState member, String signature) implements Versioned {
    public StateDocument {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(member, "member");
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
