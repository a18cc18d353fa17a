package dev.meshjoin.cli;

import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.api.overlay.OverlayConfig;
import dev.meshjoin.core.NodeState;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The work a class-data archive of meshctl is recorded from: run once under
 * {@code -XX:ArchiveClassesAtExit}, it makes the classes of a cold {@code meshctl up} load from
 * the archive instead of being parsed and verified again on every start.
 *
 * <p>It rehearses a real join in one process, over loopback only, with no root and no nebula: a
 * founder runs {@code up} on a file store in a temporary directory (CA, sealed key, signing and
 * state services, router) and stays READY while a second node runs {@code up} with the network
 * secret alone (a network key, as {@code meshctl secret generate} makes and the README recommends):
 * the HTTP join, its proof, its certificate, the Nebula config rendered with
 * the real renderer, the first poll of its state follower (the real HTTP client and server, the
 * signed state document applied to the overlay), READY. Only the overlay daemon is missing:
 * {@link RehearsalOverlay} stands in for it and {@link RehearsalLoopback} carries the state
 * protocol on loopback instead of over the overlay. Then the read-only commands run against the
 * running founder.
 *
 * <pre>
 * java -XX:ArchiveClassesAtExit=meshctl.jsa -cp "lib/*" dev.meshjoin.cli.CdsTraining
 * </pre>
 */
public final class CdsTraining {
    private static final Map<String, String> SECRETS = Map.of("MESH_SECRET",
            new String(dev.meshjoin.core.signing.NetworkSecretCredentials.generateKey()),
            "MESH_CA_PASSPHRASE", "cds-training-ca-passphrase");

    private CdsTraining() {
    }

    /**
     * Rehearses, printing one line per step. The nodes' log is shown only when a step went wrong;
     * the archive is still usable then, it only covers less of a cold start, so the exit status is
     * 0 anyway and the build goes on.
     */
    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("meshctl-cds-");
        PrintStream err = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        List<String> failed;
        // The console appender writes to whatever System.err is at the time.
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        try {
            failed = rehearse(dir);
        } finally {
            System.setErr(err);
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
        if (!failed.isEmpty()) {
            err.write(log.toByteArray());
            err.println("cds training: incomplete (" + String.join("; ", failed) + "): the archive covers less of a"
                    + " cold start; the log above says why");
        }
    }

    /**
     * Runs the rehearsal in {@code dir}.
     *
     * @return the steps that did not end as a real run would, empty when all did
     */
    static List<String> rehearse(Path dir) throws Exception {
        List<String> failed = new ArrayList<>();
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        String store = "file:" + dir.resolve("store");
        RehearsalOverlay joinerOverlay = new RehearsalOverlay();
        RehearsalLoopback loopback = new RehearsalLoopback(freePort(), () -> {
            OverlayConfig c = joinerOverlay.config();
            return c == null ? null : c.address().address();
        });

        CountDownLatch founderReady = new CountDownLatch(1);
        CountDownLatch founderStop = new CountDownLatch(1);
        UpCommand founder = new UpCommand(new UpCommand.Rehearsal(b -> b.overlay(new RehearsalOverlay())
                .customize(node -> node.stateServers(loopback.servers()))
                .listener(readyCounts(founderReady)), founderStop));
        long begun = System.nanoTime();
        Thread founderRun = new Thread(() -> report(failed, "up (founder)", run(founder, dir, SECRETS, quiet, "--name", "founder",
                "--store", store, "--state-dir", dir.resolve("founder").toString(), "--public-endpoint", "127.0.0.1:4242",
                "--signing-port", String.valueOf(freePort()), "--router", "127.0.0.1:" + freePort(),
                "--join-timeout", "60s"), begun), "cds-training-founder");
        // A founder that never stops must not keep the JVM, and with it the build, from ending.
        founderRun.setDaemon(true);
        founderRun.start();
        try {
            if (!founderReady.await(60, TimeUnit.SECONDS)) {
                report(failed, "up (founder)", "not READY after 60 s", begun);
                return failed;
            }
            System.out.println("cds training: meshctl up (founder): READY after "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begun) + " ms");
            CountDownLatch joinerReady = new CountDownLatch(1);
            // The joiner stops as soon as it is READY: its state follower polled once on the way there.
            UpCommand joiner = new UpCommand(new UpCommand.Rehearsal(b -> b.overlay(joinerOverlay)
                    .customize(node -> node.stateChannel(loopback.channel()))
                    .listener(readyCounts(joinerReady)), joinerReady));
            long joining = System.nanoTime();
            report(failed, "up (joiner)", run(joiner, dir, Map.of("MESH_SECRET", SECRETS.get("MESH_SECRET")), quiet,
                    "--name", "joiner", "--store", store, "--state-dir", dir.resolve("joiner").toString(),
                    "--router", "127.0.0.1:" + freePort(), "--join-timeout", "30s"), joining);
            if (loopback.documents() == 0) {
                report(failed, "up (joiner)", "its state follower got no state document", joining);
            }
            // Not a failure: on a machine without nebula a real up would fall back here.
            System.out.println("cds training: the joiner's nebula preflight " + joinerOverlay.preflight());

            Meshctl meshctl = new Meshctl();
            List<List<String>> commands = List.of(
                    List.of("status", "--state-dir", dir.resolve("founder").toString()),
                    List.of("members", "--store", store, "--json"),
                    List.of("token", "create", "--store", store, "--groups", "workers"),
                    List.of("token", "list", "--store", store),
                    List.of("version"),
                    List.of("help", "up"));
            for (List<String> c : commands) {
                long started = System.nanoTime();
                int status = meshctl.run(new Invocation(c, InputStream.nullInputStream(), quiet, quiet, SECRETS, dir));
                String name = c.get(0) + (c.size() > 1 && !c.get(1).startsWith("-") ? " " + c.get(1) : "");
                report(failed, name, "exit status " + status, started);
            }
        } finally {
            founderStop.countDown();
            founderRun.join(TimeUnit.SECONDS.toMillis(30));
        }
        return failed;
    }

    private static dev.meshjoin.core.MeshNodeListener readyCounts(CountDownLatch ready) {
        return (before, now) -> {
            if (now.state() == NodeState.READY) {
                ready.countDown();
            }
        };
    }

    private static String run(UpCommand up, Path dir, Map<String, String> env, PrintStream quiet, String... args) {
        Invocation inv = new Invocation(List.of(args), InputStream.nullInputStream(), quiet, quiet, env, dir);
        try {
            return "exit status " + up.run(inv);
        } catch (CliException e) {
            return "exit status " + e.status() + ": " + e.getMessage();
        } catch (Exception e) {
            return "failed: " + e;
        }
    }

    private static void report(List<String> failed, String what, String outcome, long startedNanos) {
        System.out.println("cds training: meshctl " + what + ": " + outcome + " ("
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos) + " ms)");
        if (!outcome.equals("exit status 0")) {
            synchronized (failed) {
                failed.add(what + ": " + outcome);
            }
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
