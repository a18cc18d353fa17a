package dev.meshjoin.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code meshctl status --state-dir D [--json]}: how the node of a state directory is, as its
 * running {@code meshctl up} last wrote it ({@link StatusFile}); "not running" when that process
 * is gone; each lighthouse with when it last answered this node's polls. Exit status 0 when the
 * node is READY, 1 otherwise.
 */
public final class StatusCommand implements Command {

    @Override
    public String name() {
        return "status";
    }

    @Override
    public String summary() {
        return "how the node of a state directory is: state, address, certificate, lighthouses (exit 0 when READY)";
    }

    @Override
    public int run(Invocation inv) {
        Flags.Parsed p = new Flags("status")
                .string("state-dir", "Required: the state directory the node's meshctl up was given")
                .bool("json", "print one JSON object")
                .parse(inv.args());
        Path dir = inv.path(p.requireAll("state-dir").get(0));
        Optional<StatusFile> file = StatusFile.read(dir);
        boolean running = file.isPresent() && file.get().running();
        boolean ready = running && "READY".equals(file.get().state());
        if (p.bool("json")) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("running", running);
            out.put("ready", ready);
            out.put("status", file.orElse(null));
            CliJson.println(inv.out(), out);
        } else {
            print(inv.out(), dir, file, running);
        }
        return ready ? ExitStatus.OK : ExitStatus.ERROR;
    }

    private static void print(PrintStream out, Path dir, Optional<StatusFile> file, boolean running) {
        if (file.isEmpty()) {
            out.println("not running: no meshctl up has run with --state-dir " + dir);
            return;
        }
        StatusFile s = file.get();
        if (!running) {
            out.println("not running: meshctl up (pid " + s.pid() + ") is gone; it was " + s.state() + " since " + s.since());
            return;
        }
        out.println(s.state() + "  " + Meshctl.oneLine(s.detail()));
        line(out, "since", s.since());
        line(out, "role", s.role());
        line(out, "overlay", s.overlayAddress());
        line(out, "certificate", s.certificateFingerprint());
        line(out, "expires", s.certificateNotAfter());
        if (s.contacts().isEmpty()) {
            line(out, "lighthouses", s.lighthouses().isEmpty() ? null : String.join(", ", s.lighthouses()));
        } else {
            Instant now = Instant.now();
            String label = "lighthouses";
            for (StatusFile.Contact c : s.contacts()) {
                line(out, label, c.name() + " " + c.overlayAddress() + "  " + (c.self() ? "this node"
                        : c.lastContact() == null ? "no contact yet" : "last contact " + ago(now, c.lastContact())));
                label = "";
            }
        }
        line(out, "nebula pid", s.nebulaPid());
        line(out, "meshctl pid", s.pid());
        line(out, "store", s.store());
    }

    /** How long ago, in whole seconds, minutes or hours. */
    static String ago(Instant now, Instant then) {
        long s = Math.max(0, java.time.Duration.between(then, now).toSeconds());
        return s < 120 ? s + "s ago" : s < 7200 ? s / 60 + "m ago" : s / 3600 + "h ago";
    }

    private static void line(PrintStream out, String what, Object value) {
        out.printf("  %-12s %s%n", what, value == null ? "-" : value);
    }
}
