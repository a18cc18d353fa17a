package dev.meshjoin.cli;

import dev.meshjoin.MeshConfig;
import dev.meshjoin.MeshConfig.Setting;
import dev.meshjoin.MeshJoin;
import dev.meshjoin.core.MeshNode;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.NodeStatus;
import dev.meshjoin.core.lighthouse.LighthouseWatch;
import dev.meshjoin.core.signing.EnrollmentToken;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * {@code meshctl up}: runs one node in the foreground, for operators who do not write Java. It
 * founds or joins the network, prints each state change on its own line and {@code READY
 * <overlay-address>} once a peer answers over the overlay, and on SIGTERM leaves cleanly and
 * exits 0 — or, when the node never became READY, cancels the join and exits 1 within a second or two.
 *
 * <pre>
 * MESH_SECRET=… MESH_CA_PASSPHRASE=… meshctl up --name worker-1 --store file:/var/lib/meshjoin/store \
 *     --state-dir /var/lib/meshjoin/worker-1 --public-endpoint 203.0.113.7:4242
 * </pre>
 *
 * <p>The network secret comes from {@code MESH_SECRET}; a node given an enrollment token
 * ({@code MESH_TOKEN} or {@code --token}) joins with it and needs no network secret. A node with a public endpoint may found the
 * network and then holds the CA, sealed in the store under {@code MESH_CA_PASSPHRASE}, which must be
 * set, at least 16 characters and differ from the network secret; a node without one only joins and
 * needs no CA passphrase. Each may come from a file instead ({@code MESH_SECRET_FILE},
 * {@code MESH_CA_PASSPHRASE_FILE}: Docker secrets, systemd credentials).
 */
public final class UpCommand implements Command {
    private final Rehearsal rehearsal;

    /** The command as meshctl finds it. */
    public UpCommand() {
        this(null);
    }

    /** A run of up by {@link CdsTraining}; null for a real one. */
    UpCommand(Rehearsal rehearsal) {
        this.rehearsal = rehearsal;
    }

    /**
     * How {@link CdsTraining} rehearses up in one process: {@code wiring} puts its stand-ins in the
     * node (the overlay, the state protocol on loopback), and when {@code stop} counts down the node
     * is closed and the run ends, as on SIGTERM, but without ending the process.
     */
    record Rehearsal(java.util.function.Consumer<MeshJoin.Builder> wiring, CountDownLatch stop) {
    }

    @Override
    public String name() {
        return "up";
    }

    @Override
    public String summary() {
        return "run one node in the foreground: found or join the mesh, print READY <address>";
    }

    @Override
    public int run(Invocation inv) throws Exception {
        Flags flags = flags();
        Flags.Parsed p = withConfigFile(inv, flags, flags.parse(inv.args()));
        MeshConfig config = config(inv, p);
        config.warnings().forEach(w -> Meshctl.warn(inv.err(), "up", w));
        LighthouseWatch.Settings watch = LighthouseFlags.check(p, config.publicEndpoint());
        ServiceFlags.Checked services = ServiceFlags.check(p);
        MeshJoin.Builder builder = MeshJoin.builder().config(config)
                .customize(node -> LighthouseFlags.apply(p, watch, node))
                .customize(node -> ServiceFlags.apply(services, node));
        String token = token(p, config);
        if (token != null) {
            builder.enrollmentToken(token);
        }
        if (rehearsal != null) {
            rehearsal.wiring().accept(builder);
        }
        PrintStream out = inv.out();
        MetricsEndpoint metrics = MetricsEndpoint.start(p, builder, config.nodeName(), out);
        UpProgress progress = new UpProgress(out, dev.meshjoin.cli.log.CliLogging.json(), config.joinTimeout());
        AtomicBoolean everReady = new AtomicBoolean();
        StatusWriter statusFile = new StatusWriter(config.stateDirectory(), config.store());
        MeshNode node = builder
                .listener(progress)
                .listener(statusFile)
                .listener((before, now) -> {
                    if (now.state() == NodeState.READY) {
                        everReady.set(true);
                    }
                })
                .build();

        statusFile.watch(node);
        ServiceFlags.start(services, node, out, inv.err());
        if (metrics != null) {
            metrics.watch(node);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean stopping = new AtomicBoolean();
        // SIGTERM runs the shutdown hooks: close the node there (which cancels a join in progress
        // within a second), then end with status 0 when the node had been READY (a requested stop is
        // not a failure) and 1 when it never was, since then the join did not succeed.
        Thread hook = new Thread(() -> {
            stopping.set(true);
            boolean wasReady = everReady.get();
            NodeState at = node.status().state();
            node.close();
            if (!wasReady) {
                Meshctl.error(inv.err(), "up", "up: stopped while " + at + ", before the node became READY", 1);
                inv.err().flush();
            }
            out.flush();
            stopped.countDown();
            Runtime.getRuntime().halt(wasReady ? 0 : 1);
        }, "meshctl-up-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        if (rehearsal != null) {
            // The rehearsal's stop closes the node as SIGTERM does, which also cancels a join in progress.
            Thread stop = new Thread(() -> {
                try {
                    rehearsal.stop().await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                node.close();
            }, "meshctl-up-rehearsal-stop");
            stop.setDaemon(true);
            stop.start();
        }

        progress.started();
        NodeStatus status = node.join();
        if (status.state() == NodeState.READY) {
            progress.joined(status);
        } else if (!stopping.get()) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shutdownInProgress) {
                stopped.await(); // the hook has begun and ends the process with its status
            }
            node.close();
            throw new CliException("up: " + status.state() + ": " + Meshctl.oneLine(status.detail()),
                    status.state() == NodeState.FALLBACK ? ExitStatus.FALLBACK : ExitStatus.ERROR);
        }
        if (rehearsal != null) {
            rehearsal.stop().await();
            Runtime.getRuntime().removeShutdownHook(hook);
            node.close();
            return ExitStatus.OK;
        }
        stopped.await();
        return ExitStatus.OK;
    }

    static Flags flags() {
        Flags flags = new Flags("up").string("config", "a YAML file with the same keys as these flags (flags win);"
                + " never secrets: those come from MESH_SECRET_FILE and the other _FILE variables");
        for (Setting s : Setting.values()) {
            flags.string(s.key(), s.help() + " (" + s.variable() + ")", s.defaultValue());
        }
        MetricsEndpoint.declare(flags);
        ServiceFlags.declare(flags);
        return LighthouseFlags.declare(flags.string("token", "join with this enrollment token instead of the network"
                + " secret (better: MESH_TOKEN, which other users cannot read in the process list)"));
    }

    /** The flags over the {@code --config} file's settings, which count as flags given below the command line's. */
    static Flags.Parsed withConfigFile(Invocation inv, Flags flags, Flags.Parsed p) {
        return p.get("config") == null ? p : p.over(ConfigFile.read(inv.path(p.get("config")), flags));
    }

    /**
     * The --token flag's token, checked against MESH_TOKEN; null when the flag is not given. A
     * malformed token, from either, is a usage error that never repeats the text.
     */
    private static String token(Flags.Parsed p, MeshConfig config) {
        String flag = p.get("token");
        boolean fromFlag = flag != null && !flag.isBlank();
        if (config.enrollmentToken() != null) {
            wellFormed(config.enrollmentToken().string(), config.enrollmentToken().origin());
        }
        if (!fromFlag) {
            return null;
        }
        wellFormed(flag, "--token");
        if (config.enrollmentToken() != null && !config.enrollmentToken().string().strip().equals(flag.strip())) {
            throw new CliException("up: --token and " + config.enrollmentToken().origin() + " are both set and differ;"
                    + " give one", ExitStatus.USAGE);
        }
        return flag.strip();
    }

    private static void wellFormed(String token, String origin) {
        try {
            EnrollmentToken.of(token);
        } catch (IllegalArgumentException e) {
            throw new CliException("up: " + origin + " is " + e.getMessage(), ExitStatus.USAGE);
        }
    }

    /**
     * The node's configuration: the environment ({@code MESH_NAME}, {@code MESH_STORE}, ...), then
     * the {@code --config} file, then the flags, each later one winning; secrets from the
     * environment and their files only. Every missing required setting is named at once.
     */
    static MeshConfig config(Invocation inv, Flags.Parsed p) {
        Map<String, String> settings = new HashMap<>(MeshConfig.settingsOf(inv.env()));
        // p holds the --config file's settings too (withConfigFile), over the environment.
        for (Setting s : Setting.values()) {
            if (p.isSet(s.key())) {
                settings.put(s.key(), p.get(s.key()));
            }
        }
        List<String> missing = Stream.of(Setting.NAME, Setting.STORE, Setting.STATE_DIR)
                .filter(s -> settings.getOrDefault(s.key(), "").isEmpty()).map(s -> "-" + s.key()).toList();
        if (!missing.isEmpty()) {
            throw new CliException("up: " + (missing.size() == 1 ? missing.get(0) + " is required"
                    : "missing required flags " + String.join(", ", missing)) + " (see meshctl help up)", ExitStatus.USAGE);
        }
        MeshConfig config = MeshConfig.of(settings, inv.secrets(), inv.workingDirectory());
        // A missing credential is a missing value, as a missing flag is: exit 2, which the systemd
        // unit does not restart, rather than 1 and a restart loop that cannot succeed.
        if (config.networkSecret() == null && config.enrollmentToken() == null && !p.isSet("token")) {
            throw new CliException("up: set the network secret in the environment variable MESH_SECRET (or a file named"
                    + " by MESH_SECRET_FILE), or an enrollment token in MESH_TOKEN (meshctl token create)", ExitStatus.USAGE);
        }
        return config;
    }
}
