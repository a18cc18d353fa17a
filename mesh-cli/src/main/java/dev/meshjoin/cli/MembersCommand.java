package dev.meshjoin.cli;

import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.KeyVersion;
import dev.meshjoin.core.lifecycle.Revocations;
import dev.meshjoin.core.presence.EntryPoints;
import dev.meshjoin.core.presence.PresenceView;
import dev.meshjoin.core.record.RevocationList;
import dev.meshjoin.core.record.EntryPointRecord;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.record.MemberRecord;
import dev.meshjoin.core.record.StoreKeys;
import dev.meshjoin.core.store.BootstrapStores;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * {@code meshctl members --store URI [--network NAME] [--json]}: the table of a network's members, live
 * and stale, which of them run now (listed as polling by a lighthouse that is itself current), and
 * the entry points they publish.
 */
public final class MembersCommand implements Command {
    private final Clock clock;

    public MembersCommand() {
        this(Clock.systemUTC());
    }

    MembersCommand(Clock clock) {
        this.clock = clock;
    }

    @Override
    public String name() {
        return "members";
    }

    @Override
    public String summary() {
        return "list a network's members, live and stale, and its entry points";
    }

    @Override
    public int run(Invocation inv) {
        Flags flags = new Flags("members")
                .string("store", "the store URI, such as file:/var/lib/meshjoin/store")
                .string("network", "the network name", "mesh")
                .string("stale-after", "a member not seen for this long is STALE (e.g. 60m, 2h)", "60m")
                .bool("json", "print a JSON array, one object per member");
        Flags.Parsed p = flags.parse(inv.args());
        Duration staleAfter = dev.meshjoin.cli.nebula.GoDuration.parse("stale-after", p.get("stale-after"));
        StoreKeys keys = StoreKeys.of(p.get("network"));
        try (BootstrapStore store = BootstrapStores.openExisting(p.requireAll("store").get(0))) {
            List<MemberRecord> members = new ArrayList<>();
            for (KeyVersion kv : store.list(keys.members())) {
                store.get(kv.key()).ifPresent(e -> members.add(Json.read(e.value(), MemberRecord.class, e.key())));
            }
            Map<String, EntryPointRecord> entries = new EntryPoints(store, keys, clock).live().stream()
                    .collect(Collectors.toMap(EntryPointRecord::node, Function.identity()));
            List<dev.meshjoin.core.record.PresenceRecord> presence = PresenceView.records(store, keys);
            Set<String> down = dev.meshjoin.core.record.NetworkRecords.read(store, keys).map(n -> n.record().lighthouses()
                    .stream().filter(l -> l.downSince() != null).map(l -> l.name()).collect(Collectors.toSet()))
                    .orElse(Set.of());
            Set<String> revoked = Revocations.read(store, keys).all().stream()
                    .map(RevocationList.Revoked::node).collect(Collectors.toSet());
            Known known = new Known(PresenceView.sightings(presence), revoked,
                    PresenceView.running(presence, clock.instant(), down));
            if (p.bool("json")) {
                Instant now = clock.instant();
                CliJson.println(inv.out(), members.stream().map(m -> MemberView.of(m, entries.get(m.node()), now,
                        staleAfter, known)).toList());
            } else {
                print(inv.out(), members, entries, staleAfter, known);
            }
            return ExitStatus.OK;
        }
    }

    /**
     * A member as {@code members --json} shows it.
     *
     * @param status {@code LIVE}, {@code STALE} (not seen within {@code --stale-after}),
     *     {@code EXPIRED} (its certificate has expired) or {@code REVOKED}
     * @param running whether it runs now: a lighthouse that is itself current lists it as polling
     * @param runningAt that lighthouse, or null
     * @param lastSeen its last poll as a lighthouse recorded it, or its record's last write
     * @param entryPoint the entry point it publishes now, or null
     */
    public record MemberView(String status, boolean running, String runningAt, String node, String overlayAddress,
                             String role, List<String> groups,
                             String publicEndpoint, EntryPointView entryPoint, String certificateFingerprint,
                             Instant certificateNotAfter, Instant lastSeen) {
        static MemberView of(MemberRecord m, EntryPointRecord ep, Instant now, Duration staleAfter, Known known) {
            String at = known.runningAt(m);
            return new MemberView(MembersCommand.status(m, now, staleAfter, known), at != null, at, m.node(),
                    m.overlayAddress(), m.role().wire(), m.groups(),
                    known.publicEndpoint(m), ep == null ? null : new EntryPointView(ep.publicAddress(), ep.port(), ep.services()),
                    m.certificateFingerprint(), m.certificateNotAfter(), known.lastSeen(m));
        }
    }

    /** An entry point in {@link MemberView}. */
    public record EntryPointView(String address, int port, List<String> services) {
    }

    /**
     * What the lighthouses' presence records and the revocations say, beside the member records.
     *
     * @param running the nodes running now, each with the lighthouse whose current record lists it
     */
    record Known(Map<String, PresenceView.Sighting> seen, Set<String> revoked, Map<String, String> running) {
        /** The lighthouse that sees the node running now, or null when none does. */
        String runningAt(MemberRecord m) {
            return known(m) ? running.get(m.node()) : null;
        }

        private boolean known(MemberRecord m) {
            return !revoked.contains(m.node());
        }

        /** The last time anyone saw the node: a lighthouse's presence record, or its member record. */
        Instant lastSeen(MemberRecord m) {
            PresenceView.Sighting s = seen.get(m.node());
            return s != null && s.seen().lastSeen().isAfter(m.lastSeen()) ? s.seen().lastSeen() : m.lastSeen();
        }

        /** A member's record does not carry its public endpoint (it writes nothing after its join); its polls do. */
        String publicEndpoint(MemberRecord m) {
            PresenceView.Sighting s = seen.get(m.node());
            return m.publicEndpoint() != null || s == null ? m.publicEndpoint() : s.seen().publicEndpoint();
        }
    }

    static String status(MemberRecord m, Instant now, Duration staleAfter, Known known) {
        return known.revoked().contains(m.node()) ? "REVOKED" : m.certificateNotAfter().isBefore(now) ? "EXPIRED"
                : known.lastSeen(m).plus(staleAfter).isBefore(now) ? "STALE" : "LIVE";
    }

    private void print(PrintStream out, List<MemberRecord> members, Map<String, EntryPointRecord> entries,
                       Duration staleAfter, Known known) {
        Instant now = clock.instant();
        String format = "%-7s %-7s %-24s %-16s %-10s %-22s %-24s %-20s %-20s%n";
        out.printf(format, "STATUS", "RUNNING", "NODE", "OVERLAY", "ROLE", "PUBLIC", "ENTRY POINT", "CERT EXPIRES",
                "LAST SEEN");
        DateTimeFormatter iso = DateTimeFormatter.ISO_INSTANT;
        for (MemberRecord m : members) {
            EntryPointRecord ep = entries.get(m.node());
            out.printf(format, status(m, now, staleAfter, known), known.runningAt(m) != null ? "yes" : "no", m.node(),
                    m.overlayAddress(), m.role(),
                    known.publicEndpoint(m) == null ? "-" : known.publicEndpoint(m),
                    ep == null ? "-" : ep.publicAddress() + ":" + ep.port() + " " + String.join(",", ep.services()),
                    iso.format(m.certificateNotAfter().truncatedTo(ChronoUnit.SECONDS)),
                    ago(Duration.between(known.lastSeen(m), now)));
        }
        out.printf("%d members, %d running now, %d stale, %d revoked, %d entry points%n", members.size(),
                members.stream().filter(m -> known.runningAt(m) != null).count(),
                members.stream().filter(m -> "STALE".equals(status(m, now, staleAfter, known))).count(),
                members.stream().filter(m -> known.revoked().contains(m.node())).count(), entries.size());
    }

    private static String ago(Duration d) {
        if (d.isNegative()) {
            return "now";
        }
        if (d.toMinutes() < 1) {
            return d.toSeconds() + "s ago";
        }
        if (d.toHours() < 1) {
            return d.toMinutes() + "m ago";
        }
        if (d.toDays() < 1) {
            return d.toHours() + "h" + d.toMinutesPart() + "m ago";
        }
        return d.toDays() + "d ago";
    }
}
