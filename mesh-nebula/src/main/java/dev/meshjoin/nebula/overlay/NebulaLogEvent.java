package dev.meshjoin.nebula.overlay;

import java.util.Map;
import java.util.Objects;

/**
 * One line of the Nebula daemon's output. With {@code logging.format: json} (which the driver
 * configures) every line is a JSON object with {@code level}, {@code msg}, {@code time} and
 * event fields; lines that are not JSON (Go panics, the text-format lines Nebula prints before it
 * has read its logging config) keep level {@code info} and the whole line as message.
 *
 * @param level Nebula's level: trace, debug, info, warning, error, fatal or panic
 * @param message the {@code msg} field, or the raw line
 * @param fields the other top-level fields as text (nested objects in their JSON form)
 * @param json whether the line was a JSON object
 */
public record NebulaLogEvent(String level, String message, Map<String, String> fields, boolean json) {

    /** Nebula's message once the tun device is configured and the UDP listener is open. */
    public static final String INTERFACE_ACTIVE = "Nebula interface is active";
    /** Nebula's message when a handshake packet from a peer arrived and was accepted. */
    public static final String HANDSHAKE_RECEIVED = "Handshake message received";

    public NebulaLogEvent {
        Objects.requireNonNull(level, "level");
        Objects.requireNonNull(message, "message");
        fields = Map.copyOf(fields);
    }

    /** A field's text, or null. */
    public String field(String name) {
        return fields.get(name);
    }

    /** Error, fatal and panic lines: the ones that explain why a daemon stopped. */
    public boolean isError() {
        return level.equals("error") || level.equals("fatal") || level.equals("panic");
    }

    /** The message with its {@code error} field, as a reason to show an operator. */
    public String describe() {
        String error = fields.get("error");
        return error == null ? message : message + ": " + error;
    }
}
