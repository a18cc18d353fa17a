package dev.meshjoin.core.record;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.meshjoin.api.MeshException;
import java.io.IOException;

/**
 * The one JSON mapper for store records. Unknown fields are refused: a record with fields we do
 * not know was written by a newer schema, and reading it as an older one could drop them on the
 * next write.
 */
public final class Json {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .findAndAddModules()
            .build();

    private static final java.util.List<String> ENVELOPE = java.util.List.of("signatures", "mac");

    private Json() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    /**
     * Reads a record and checks its schema version.
     *
     * @param where the store key, for the message
     * @throws CorruptRecordException when it does not parse or has an unknown schema
     */
    public static <T extends Versioned> T read(byte[] bytes, Class<T> type, String where) {
        T value;
        try {
            com.fasterxml.jackson.databind.JsonNode tree = MAPPER.readTree(bytes);
            if (tree instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
                // The signature envelope (dev.meshjoin.core.trust) is checked, where it matters, before
                // this: a reader that only shows a record reads it without.
                o.remove(ENVELOPE);
            }
            value = tree == null ? null : MAPPER.treeToValue(tree, type);
        } catch (IOException | RuntimeException e) {
            throw new CorruptRecordException(where, "it is not a valid " + type.getSimpleName() + " ("
                    + firstLine(e.getMessage()) + ")", e);
        }
        if (value == null) {
            throw new CorruptRecordException(where, "it is empty", null);
        }
        if (value.schema() != Versioned.SCHEMA) {
            throw new CorruptRecordException(where, "it has schema version " + value.schema() + "; this meshjoin reads "
                    + Versioned.SCHEMA + ". Upgrade meshjoin on this node", null);
        }
        return value;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "no detail";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** A stored record could not be read; the store is left as it was. */
    public static final class CorruptRecordException extends MeshException {
        private static final long serialVersionUID = 1L;
        private final String key;

        public CorruptRecordException(String key, String problem, Throwable cause) {
            super("the store value at " + key + " cannot be read: " + problem
                    + ". It was left untouched; inspect it with meshctl, restore it or delete it", cause);
            this.key = key;
        }

        public String key() {
            return key;
        }
    }
}
