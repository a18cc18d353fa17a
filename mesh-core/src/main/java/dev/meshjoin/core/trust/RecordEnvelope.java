package dev.meshjoin.core.trust;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshjoin.core.record.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The stored form of a record that grants trust: the record's own JSON fields, plus
 * {@code signatures} (CA signatures) and {@code mac} (an HMAC under the network secret's record
 * key). Both cover the same message: a domain label, the store key (so that a signed record cannot
 * be copied to another key or network) and the record's canonical JSON (object keys sorted, no
 * whitespace) without these two fields. The label starts with a zero byte, which no Nebula
 * certificate's protobuf encoding can start with, so a CA signature on a record never passes for a
 * certificate signature.
 */
public final class RecordEnvelope {
    /** The field holding the CA signatures. */
    public static final String SIGNATURES = "signatures";
    /** The field holding the MAC. */
    public static final String MAC = "mac";
    private static final byte[] DOMAIN = "\0meshjoin/signed-record/v1\0".getBytes(StandardCharsets.US_ASCII);

    /**
     * A stored value taken apart.
     *
     * @param record the record without the envelope fields
     * @param message what the signatures and the MAC cover
     * @param signatures the signatures found (possibly none)
     * @param mac the MAC found, or null
     */
    public record Opened(ObjectNode record, byte[] message, List<RecordSignature> signatures, byte[] mac) {
        /** The record's JSON bytes, as the record classes read them. */
        public byte[] recordBytes() {
            return Json.write(record);
        }

        public String text(String field) {
            JsonNode n = record.get(field);
            return n == null || !n.isTextual() ? null : n.asText();
        }
    }

    /** Streaming only: no data binding, so it costs a cold JVM a fraction of the mapper's set-up. */
    private static final JsonFactory STREAMING = new JsonFactory();

    private RecordEnvelope() {
    }

    /**
     * A top-level text field of a stored value, read with the streaming parser alone, for work that
     * may start before the value is checked (the secret's slow derivation from the network's salt:
     * its result is used only once the record is verified). Empty when the field is missing, not
     * text, or the value is not a JSON object; the full {@link #open} reports what is wrong.
     */
    public static Optional<String> peekText(byte[] stored, String field) {
        try (JsonParser p = STREAMING.createParser(stored)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return Optional.empty();
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals(name)) {
                    return value == JsonToken.VALUE_STRING ? Optional.of(p.getText()) : Optional.empty();
                }
                p.skipChildren();
            }
        } catch (IOException | RuntimeException e) {
            // malformed: open() says so
        }
        return Optional.empty();
    }

    /**
     * Takes a stored value apart.
     *
     * @throws IllegalArgumentException when it is not a JSON object or its envelope fields are malformed
     */
    public static Opened open(String key, byte[] stored) {
        JsonNode tree;
        try {
            tree = Json.mapper().readTree(stored);
        } catch (IOException e) {
            throw new IllegalArgumentException("it is not JSON (" + String.valueOf(e.getMessage()).lines().findFirst().orElse("") + ")", e);
        }
        if (tree == null || !tree.isObject()) {
            throw new IllegalArgumentException("it is not a JSON object");
        }
        ObjectNode record = (ObjectNode) tree;
        List<RecordSignature> sigs = new ArrayList<>();
        JsonNode s = record.remove(SIGNATURES);
        if (s != null) {
            if (!s.isArray() || s.size() > 16) {
                throw new IllegalArgumentException("its 'signatures' field is not an array of at most 16 signatures");
            }
            for (JsonNode one : s) {
                if (!one.isObject() || !one.path("by").isTextual() || !one.path("sig").isTextual() || one.size() != 2) {
                    throw new IllegalArgumentException("a signature is not {\"by\":FINGERPRINT,\"sig\":BASE64}");
                }
                sigs.add(new RecordSignature(one.get("by").asText(), one.get("sig").asText()));
            }
        }
        JsonNode m = record.remove(MAC);
        byte[] mac = null;
        if (m != null) {
            try {
                mac = m.isTextual() ? Base64.getDecoder().decode(m.asText()) : null;
            } catch (IllegalArgumentException e) {
                mac = null;
            }
            if (mac == null) {
                throw new IllegalArgumentException("its 'mac' field is not base64");
            }
        }
        return new Opened(record, message(key, record), List.copyOf(sigs), mac);
    }

    /** What a signature and a MAC on {@code record} at {@code key} cover. */
    public static byte[] message(String key, JsonNode record) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        byte[] body = canonical(record);
        byte[] out = new byte[DOMAIN.length + k.length + 1 + body.length];
        System.arraycopy(DOMAIN, 0, out, 0, DOMAIN.length);
        System.arraycopy(k, 0, out, DOMAIN.length, k.length);
        System.arraycopy(body, 0, out, DOMAIN.length + k.length + 1, body.length);
        return out;
    }

    /** The stored bytes: the record's canonical JSON with the envelope fields added. */
    public static byte[] seal(ObjectNode record, List<RecordSignature> signatures, byte[] mac) {
        ObjectNode out = sorted(record);
        ArrayNode arr = out.putArray(SIGNATURES);
        for (RecordSignature s : signatures) {
            arr.addObject().put("by", s.by()).put("sig", s.sig());
        }
        if (mac != null) {
            out.put(MAC, Base64.getEncoder().encodeToString(mac));
        }
        return Json.write(out);
    }

    /** HMAC-SHA256 of the message under a record MAC key. */
    public static byte[] mac(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is always available", e);
        }
    }

    /** The canonical JSON bytes of a tree: object keys sorted at every level, no whitespace. */
    public static byte[] canonical(JsonNode node) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = Json.mapper().getFactory().createGenerator(out)) {
            write(g, node);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write canonical JSON", e);
        }
        return out.toByteArray();
    }

    private static void write(JsonGenerator g, JsonNode node) throws IOException {
        if (node.isObject()) {
            TreeMap<String, JsonNode> fields = new TreeMap<>();
            node.fields().forEachRemaining(e -> fields.put(e.getKey(), e.getValue()));
            g.writeStartObject();
            for (Map.Entry<String, JsonNode> e : fields.entrySet()) {
                g.writeFieldName(e.getKey());
                write(g, e.getValue());
            }
            g.writeEndObject();
        } else if (node.isArray()) {
            g.writeStartArray();
            for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
                write(g, it.next());
            }
            g.writeEndArray();
        } else {
            Json.mapper().writeTree(g, node);
        }
    }

    private static ObjectNode sorted(ObjectNode record) {
        try {
            return (ObjectNode) Json.mapper().readTree(canonical(record));
        } catch (IOException e) {
            throw new IllegalStateException("canonical JSON always parses", e);
        }
    }
}
