package dev.meshjoin.testkit.cloudflare;

import dev.meshjoin.testkit.cloudflare.LocalKvServer.RequestKind;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

/**
 * The body and query of a write, parsed and checked as Workers KV does: a raw body, or
 * {@code multipart/form-data} with a {@code value} part and an optional {@code metadata} part (JSON,
 * at most 1,024 bytes); {@code expiration_ttl} at least 60 (else error 10034), {@code expiration} at
 * least 60 seconds ahead (else 10033); {@code expiration_ttl} wins when both are given.
 */
final class KvPut {
    static final int INVALID_EXPIRATION = 10033;
    static final int INVALID_EXPIRATION_TTL = 10034;
    static final int INVALID_METADATA = 10047;
    static final int PAYLOAD_TOO_LARGE = 10024;
    static final int MALFORMED_VALUE = 10012;

    final byte[] value;
    final String metadata;
    final Long expiration;
    /** The refusal, when the write is not valid; the other fields are then null. */
    final KvResponse refusal;

    private KvPut(byte[] value, String metadata, Long expiration, KvResponse refusal) {
        this.value = value;
        this.metadata = metadata;
        this.expiration = expiration;
        this.refusal = refusal;
    }

    private static KvPut refuse(int status, int code, String message) {
        return new KvPut(null, null, null, KvResponse.error(status, code, message).kind(RequestKind.PUT));
    }

    static KvPut parse(String contentType, byte[] body, Map<String, String> query, Instant now) {
        if (body == null) {
            return refuse(413, PAYLOAD_TOO_LARGE, "value too large: the maximum is 25 MiB");
        }
        byte[] value = body;
        String metadata = null;
        if (MultipartFormData.boundary(contentType).isPresent()) {
            Map<String, byte[]> fields;
            try {
                fields = MultipartFormData.parse(contentType, body);
            } catch (IllegalArgumentException e) {
                return refuse(400, MALFORMED_VALUE, "malformed multipart body: " + e.getMessage());
            }
            value = fields.get("value");
            if (value == null) {
                return refuse(400, MALFORMED_VALUE, "the multipart body has no 'value' field");
            }
            byte[] md = fields.get("metadata");
            if (md != null) {
                if (md.length > LocalKvServer.MAX_METADATA_BYTES) {
                    return refuse(413, PAYLOAD_TOO_LARGE, "metadata too large: the maximum is "
                            + LocalKvServer.MAX_METADATA_BYTES + " bytes");
                }
                metadata = new String(md, StandardCharsets.UTF_8);
                if (!Json.isValid(metadata)) {
                    return refuse(400, INVALID_METADATA, "Invalid metadata: it must be valid JSON");
                }
            }
        }
        if (value.length > LocalKvServer.MAX_VALUE_BYTES) {
            return refuse(413, PAYLOAD_TOO_LARGE, "value too large: the maximum is 25 MiB");
        }
        Long expiration = null;
        if (query.containsKey("expiration_ttl")) {
            long ttl;
            try {
                ttl = Long.parseLong(query.get("expiration_ttl"));
            } catch (NumberFormatException e) {
                return refuse(400, INVALID_EXPIRATION_TTL, "Invalid expiration_ttl of " + query.get("expiration_ttl")
                        + ". Please specify integer greater than 0.");
            }
            if (ttl < LocalKvServer.MIN_EXPIRATION_TTL_SECONDS) {
                return refuse(400, INVALID_EXPIRATION_TTL, "Invalid expiration_ttl of " + ttl
                        + ". Expiration TTL must be at least 60.");
            }
            expiration = now.getEpochSecond() + ttl;
        } else if (query.containsKey("expiration")) {
            long at;
            try {
                at = Long.parseLong(query.get("expiration"));
            } catch (NumberFormatException e) {
                return refuse(400, INVALID_EXPIRATION, "Invalid expiration of " + query.get("expiration")
                        + ". Please specify integer greater than the current number of seconds since the UNIX epoch.");
            }
            if (at < now.getEpochSecond() + LocalKvServer.MIN_EXPIRATION_TTL_SECONDS) {
                return refuse(400, INVALID_EXPIRATION, "Invalid expiration of " + at
                        + ". Expiration times must be at least 60 seconds in the future.");
            }
            expiration = at;
        }
        return new KvPut(value, metadata, expiration, null);
    }
}
