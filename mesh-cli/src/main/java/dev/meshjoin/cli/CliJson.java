package dev.meshjoin.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.PrintStream;
import java.io.UncheckedIOException;

/**
 * The JSON that {@code --json} prints: one document on one line, times as ISO-8601 text, absent
 * values as {@code null} (a script can rely on every field being there).
 */
public final class CliJson {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .findAndAddModules()
            .build();

    private CliJson() {
    }

    /** The value as one line of JSON. */
    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /**
     * One event line of a {@code -log-format json} run: {@code {"time":…,"event":EVENT, …}} with the
     * fields given as name, value pairs, in that order.
     */
    public static String event(String event, Object... fields) {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("time", java.time.Instant.now().toString());
        m.put("event", event);
        for (int i = 0; i + 1 < fields.length; i += 2) {
            m.put(String.valueOf(fields[i]), fields[i + 1]);
        }
        return write(m);
    }

    /** Prints the value as one line of JSON. */
    public static void println(PrintStream out, Object value) {
        out.println(write(value));
    }
}
