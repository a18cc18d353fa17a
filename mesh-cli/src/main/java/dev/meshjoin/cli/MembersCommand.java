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
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * {@code meshctl members --store URI [--network NAME]}: the table of a network's members, live
 * and stale, with the entry points they publish.
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
                .string("stale-after", "a member not seen for this long is STALE (e.g. 60m, 2h)", "60m");
        Flags.Parsed p = flags.parse(inv.args());
        Duration staleAfter = dev.meshjoin.cli.nebula.GoDuration.parse("stale-after", p.get("stale-after"));
        StoreKeys keys = StoreKeys.of(p.get("network"));
        try (BootstrapStore store = BootstrapStores.open(p.require("store"))) {
            List<MemberRecord> members = new ArrayList<>();
            for (KeyVersion kv : store.list(keys.members())) {
                store.get(kv.key()).ifPresent(e -> members.add(Json.read(e.value(), MemberRecord.class, e.key())));
            }
            Map<String, EntryPointRecord> entries = new EntryPoints(store, keys, clock).live().stream()
                    .collect(Collectors.toMap(EntryPointRecord::node, Function.identity()));
            Map<String, PresenceView.Sighting> seen = PresenceView.read(store, keys);
            java.util.Set<String> revoked = Revocations.read(store, keys).all().stream()
                    .map(RevocationList.Revoked::node).collect(Collectors.toSet());
            print(inv.out(), members, entries, seen, revoked, staleAfter);
            return 0;
        }
    }

    /** The last time anyone saw the node: its member record, or a lighthouse's presence record. */
    private static Instant lastSeen(MemberRecord m, Map<String, PresenceView.Sighting> seen) {
        PresenceView.Sighting s = seen.get(m.node());
        return s != null && s.seen().lastSeen().isAfter(m.lastSeen()) ? s.seen().lastSeen() : m.lastSeen();
    }

    private void print(PrintStream out, List<MemberRecord> members, Map<String, EntryPointRecord> entries,
                       Map<String, PresenceView.Sighting> seen, java.util.Set<String> revoked, Duration staleAfter) {
        Instant now = clock.instant();
        String format = "%-7s %-24s %-16s %-10s %-22s %-24s %-20s %-20s%n";
        out.printf(format, "STATUS", "NODE", "OVERLAY", "ROLE", "PUBLIC", "ENTRY POINT", "CERT EXPIRES", "LAST SEEN");
        DateTimeFormatter iso = DateTimeFormatter.ISO_INSTANT;
        long staleCount = 0;
        for (MemberRecord m : members) {
            Instant last = lastSeen(m, seen);
            boolean stale = last.plus(staleAfter).isBefore(now);
            staleCount += stale ? 1 : 0;
            boolean expired = m.certificateNotAfter().isBefore(now);
            EntryPointRecord ep = entries.get(m.node());
            out.printf(format, revoked.contains(m.node()) ? "REVOKED" : expired ? "EXPIRED" : stale ? "STALE" : "LIVE",
                    m.node(), m.overlayAddress(), m.role(),
                    m.publicEndpoint() == null ? "-" : m.publicEndpoint(),
                    ep == null ? "-" : ep.publicAddress() + ":" + ep.port() + " " + String.join(",", ep.services()),
                    iso.format(m.certificateNotAfter().truncatedTo(ChronoUnit.SECONDS)),
                    ago(Duration.between(last, now)));
        }
        out.printf("%d members, %d stale, %d revoked, %d entry points%n", members.size(), staleCount,
                members.stream().filter(m -> revoked.contains(m.node())).count(), entries.size());
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
