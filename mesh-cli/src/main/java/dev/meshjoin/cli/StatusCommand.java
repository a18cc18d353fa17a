package dev.meshjoin.cli;

import dev.meshjoin.MeshConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * {@code meshctl status [--state-dir D] [--json]}: how the node of a state directory is, as its
 * running {@code meshctl up} last wrote it ({@link StatusFile}); "not running" when that process
 * is gone; each lighthouse with when it last answered this node's polls. Exit status 0 when the
 * node is READY, 1 otherwise. Without {@code --state-dir}: {@code MESH_STATE_DIR}, as {@code up}
 * reads it, else the one node with state under {@value #DEFAULT_ROOT_TEXT} (where the README and the
 * systemd unit keep them); with several there, it asks which.
 */
public final class StatusCommand implements Command {
    static final String DEFAULT_ROOT_TEXT = "/var/lib/meshjoin";
    private final Path root;

    /** The command as meshctl runs it: nodes' state under {@value #DEFAULT_ROOT_TEXT} by default. */
    public StatusCommand() {
        this(Path.of(DEFAULT_ROOT_TEXT));
    }

    StatusCommand(Path root) {
        this.root = root;
    }

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
                .string("state-dir", "the state directory the node's meshctl up was given (default: MESH_STATE_DIR,"
                        + " else the one node under " + DEFAULT_ROOT_TEXT + ")")
                .bool("json", "print one JSON object")
                .parse(inv.args());
        Optional<Path> chosen = stateDirectory(inv, p);
        Path dir = chosen.orElse(root);
        Optional<StatusFile> file = chosen.isEmpty() ? Optional.empty() : StatusFile.read(dir);
        boolean running = file.isPresent() && file.get().running();
        boolean ready = running && "READY".equals(file.get().state());
        if (p.bool("json")) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("running", running);
            out.put("ready", ready);
            out.put("status", file.orElse(null));
            CliJson.println(inv.out(), out);
        } else {
            print(inv.out(), dir, file, running, chosen.isEmpty());
        }
        return ready ? ExitStatus.OK : ExitStatus.ERROR;
    }

    /** The state directory to read: the flag, MESH_STATE_DIR, else the one node's under the root (empty: none). */
    private Optional<Path> stateDirectory(Invocation inv, Flags.Parsed p) {
        if (p.isSet("state-dir")) {
            return Optional.of(inv.path(p.get("state-dir")));
        }
        String env = inv.env().get(MeshConfig.Setting.STATE_DIR.variable());
        if (env != null && !env.isBlank()) {
            return Optional.of(inv.path(env));
        }
        if (Files.isRegularFile(root.resolve(StatusFile.NAME))) {
            return Optional.of(root);
        }
        List<Path> nodes;
        try (Stream<Path> dirs = Files.list(root)) {
            nodes = dirs.filter(d -> Files.isRegularFile(d.resolve(StatusFile.NAME))).sorted().toList();
        } catch (NoSuchFileException | NotDirectoryException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new CliException("status: cannot list " + root + " (" + e.getMessage() + "); give --state-dir");
        }
        if (nodes.size() > 1) {
            throw new CliException("status: " + nodes.size() + " nodes have state under " + root + " ("
                    + String.join(", ", nodes.stream().map(d -> d.getFileName().toString()).toList())
                    + "); say which with --state-dir", ExitStatus.USAGE);
        }
        return nodes.stream().findFirst();
    }

    private void print(PrintStream out, Path dir, Optional<StatusFile> file, boolean running, boolean guessed) {
        if (file.isEmpty()) {
            out.println(guessed ? "not running: no --state-dir given, MESH_STATE_DIR is not set, and no"
                    + " meshctl up has run under " + root : "not running: no meshctl up has run with --state-dir " + dir);
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
        line(out, "renews", s.nextRenewal());
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
