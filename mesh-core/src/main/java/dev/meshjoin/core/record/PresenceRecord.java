package dev.meshjoin.core.record;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Who one lighthouse saw live, at {@code mesh/<network>/presence/<lighthouse>}: written when its
 * set of live members changes and otherwise at most once per presence interval, so that members
 * write nothing to keep their presence.
 *
 * @param schema {@link Versioned#SCHEMA}
 * @param lighthouse the writer
 * @param writtenAt when it was written
 * @param liveForSeconds how long after {@code lastSeen} an entry counts as live when read
 *     (twice the interval: a live member's entry is refreshed at least once in that time)
 * @param members the members live when written, by name
 */
public record PresenceRecord(int schema, String lighthouse, Instant writtenAt, long liveForSeconds,
                             List<Seen> members) implements Versioned {
    public PresenceRecord {
        Objects.requireNonNull(lighthouse, "lighthouse");
        Objects.requireNonNull(writtenAt, "writtenAt");
        members = List.copyOf(members);
    }

    /**
     * One live member.
     *
     * @param node its name
     * @param overlayAddress its address
     * @param lastSeen its last poll
     * @param certificateFingerprint the certificate it runs with
     * @param publicEndpoint its overlay daemon's public endpoint, or null
     * @param entryPoint its entry point, or null
     */
    public record Seen(String node, String overlayAddress, Instant lastSeen, String certificateFingerprint,
                       String publicEndpoint, dev.meshjoin.core.state.Beat.EntryPoint entryPoint) {
        public Seen {
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(overlayAddress, "overlayAddress");
            Objects.requireNonNull(lastSeen, "lastSeen");
        }
    }
}
