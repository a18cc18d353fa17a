package dev.meshjoin.core.signing;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.Base64;
import java.util.List;

/**
 * The join protocol's messages and its strict JSON mapper: unknown, duplicate, missing or null
 * fields, trailing content and type coercion are all refused, so a message means exactly one thing.
 *
 * <pre>
 * GET  /v1/hello  → Hello                      (the service certificate, signed by the network's CA)
 * POST /v1/join   ← Envelope{sealed: Inner}    → Sealed{sealed: Outcome}, or Error
 * </pre>
 */
final class Wire {
    static final int VERSION = 1;
    static final String HELLO_PATH = "/v1/hello";
    static final String JOIN_PATH = "/v1/join";
    static final String KDF_INFO = "meshjoin/join/v1";

    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(8).maxStringLength(16 * 1024).maxNumberLength(20).build());
    }

    private Wire() {
    }

    /** What {@code GET /v1/hello} answers: the key joiners encrypt to, certified by the network's CA. */
    record Hello(int v, String network, String lighthouse, String serviceCertificate) {
    }

    /** The outer, readable part of a join request; {@code sealed} is an {@link Inner} under the request key. */
    record Envelope(int v, String network, String serviceFingerprint, String ephemeralKey, String nonce,
                    long timestamp, String sealed) {
    }

    /** The sealed part of a join request. */
    record Inner(String node, String publicKey, List<String> groups, String credential) {
    }

    /** A sealed answer; {@code sealed} is an {@link Outcome} under the response key. */
    record Sealed(int v, String sealed) {
    }

    /** The sealed success answer. */
    record Outcome(String certificate, String address, List<String> groups, String observedSource) {
    }

    /** A refusal; readable, see docs/security.md for why it is not sealed. */
    record Error(int v, String error, String message) {
    }

    static byte[] write(Object o) {
        try {
            return MAPPER.writeValueAsBytes(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @throws BadMessage when the bytes are not exactly one such message */
    static <T> T read(byte[] body, Class<T> type) {
        try {
            T v = MAPPER.readValue(body, type);
            if (v == null) {
                throw new BadMessage("the body is not a " + type.getSimpleName());
            }
            return v;
        } catch (IOException | RuntimeException e) {
            if (e instanceof BadMessage b) {
                throw b;
            }
            throw new BadMessage("the body is not a valid " + type.getSimpleName() + " message");
        }
    }

    static byte[] b64(String s, String field, int exactLength) {
        byte[] b;
        try {
            b = Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw new BadMessage("field " + field + " is not base64");
        }
        if (exactLength >= 0 && b.length != exactLength) {
            throw new BadMessage("field " + field + " must be " + exactLength + " bytes");
        }
        return b;
    }

    static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    static byte[] requestAad(String network, long timestamp, byte[] nonce, String serviceFingerprint) {
        return SigningCrypto.utf8(KDF_INFO + " request|" + network + "|" + timestamp + "|" + b64(nonce) + "|"
                + serviceFingerprint);
    }

    static byte[] responseAad(byte[] nonce) {
        return SigningCrypto.utf8(KDF_INFO + " response|" + b64(nonce));
    }

    /** The request key (first 32 bytes) and response key (last 32) of one exchange. */
    static byte[] exchangeKeys(byte[] shared, byte[] nonce, byte[] ephemeralKey, byte[] serviceKey, String network) {
        byte[] info = concat(SigningCrypto.utf8(KDF_INFO), ephemeralKey, serviceKey, SigningCrypto.utf8(network));
        return SigningCrypto.hkdf(shared, nonce, info, 64);
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /** A message that does not parse or breaks the protocol; answered with 400. */
    static final class BadMessage extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadMessage(String message) {
            super(message, null, false, false);
        }
    }
}
