package dev.meshjoin.core.record;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * What a node is in its network. Stored as today's lower-case words ({@code founder},
 * {@code lighthouse}, {@code member}), so records written before this type existed still parse.
 */
public enum Role {
    /** Founded the network; also a lighthouse. */
    FOUNDER,
    /** Serves joins and holds the CA. */
    LIGHTHOUSE,
    /** An ordinary member. */
    MEMBER;

    /** The stored word. */
    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a stored word; refuses anything else with the word and what is allowed. */
    @JsonCreator
    public static Role fromWire(String word) {
        for (Role r : values()) {
            if (r.wire().equals(word)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown role '" + word + "'; expected founder, lighthouse or member");
    }

    /** True for the roles that hold the CA and serve joins. */
    public boolean servesJoins() {
        return this != MEMBER;
    }

    @Override
    public String toString() {
        return wire();
    }
}
