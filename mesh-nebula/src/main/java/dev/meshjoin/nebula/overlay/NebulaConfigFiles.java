package dev.meshjoin.nebula.overlay;

import dev.meshjoin.api.overlay.OverlayConfig;
import dev.meshjoin.api.overlay.OverlayException;
import dev.meshjoin.nebula.cert.NebulaPem;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver's files and commands: the node's config, key and certificates, the tun device name,
 * {@code nebula -test}, and signals to the daemon.
 *
 * <p>A reload installs files only after {@code nebula -test} accepted them, because the running
 * daemon re-reads them on SIGHUP. A start installs them at once: no daemon reads them yet, the
 * daemon refuses the same configs as {@code -test} when it starts, and {@code -test} costs a
 * process start on every join. The supervisor runs it only when a daemon exited before its tun
 * device came up, to tell a refused config from a failure worth restarting for.
 */
final class NebulaConfigFiles {
    private static final Logger LOG = LoggerFactory.getLogger(NebulaConfigFiles.class);
    /** The daemon's config file in the overlay's state directory. */
    static final String CONFIG_FILE = "nebula.yml";

    private NebulaConfigFiles() {
    }

    /**
     * The tun device name the driver gives a node: {@code mj} and 10 hex digits of a hash of the
     * node name and state directory, so two nodes in one namespace never collide and a restarted
     * node gets its old name back.
     */
    static String tunDeviceFor(OverlayConfig config) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(config.nodeName().getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(config.stateDirectory().toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
            return "mj" + HexFormat.of().formatHex(sha.digest()).substring(0, 10);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * Validates the config with {@code nebula -test} in a staging directory, then writes the
     * real files. A refused config leaves the node's current files untouched.
     */
    static Path writeChecked(NebulaBinary bin, OverlayConfig config, String tun) {
        Path dir = config.stateDirectory();
        NodeFiles.prepareDirectory(dir);
        Path staging = dir.resolve("staging");
        NodeFiles.prepareDirectory(staging);
        try {
            Path stagedConfig = writeFiles(config, staging, tun);
            runConfigTest(bin, stagedConfig);
        } finally {
            deleteTree(staging);
        }
        return writeFiles(config, dir, tun);
    }

    /** Writes the node's files into its state directory for a daemon that is not running yet. */
    static Path install(OverlayConfig config, String tun) {
        NodeFiles.prepareDirectory(config.stateDirectory());
        return writeFiles(config, config.stateDirectory(), tun);
    }

    static Path writeFiles(OverlayConfig config, Path dir, String tun) {
        NebulaConfigRenderer.PkiPaths pki = new NebulaConfigRenderer.PkiPaths(
                dir.resolve("ca.crt").toAbsolutePath(), dir.resolve("host.crt").toAbsolutePath(), dir.resolve("host.key").toAbsolutePath());
        String yaml = NebulaConfigRenderer.render(config, pki, tun);
        byte[] raw = config.privateKey();
        byte[] keyPem = NebulaPem.encodeX25519PrivateKey(raw);
        try {
            NodeFiles.write(pki.key(), keyPem, NodeFiles.OWNER_ONLY);
        } finally {
            Arrays.fill(raw, (byte) 0);
            Arrays.fill(keyPem, (byte) 0);
        }
        NodeFiles.write(pki.cert(), config.certificatePem(), NodeFiles.WORLD_READABLE);
        NodeFiles.write(pki.ca(), config.caBundlePem(), NodeFiles.WORLD_READABLE);
        Path file = dir.resolve(CONFIG_FILE).toAbsolutePath();
        NodeFiles.write(file, yaml.getBytes(StandardCharsets.UTF_8), NodeFiles.WORLD_READABLE);
        return file;
    }

    static void runConfigTest(NebulaBinary bin, Path configFile) {
        refusal(bin, configFile).ifPresent(reason -> {
            throw new OverlayException(reason);
        });
    }

    /**
     * Runs {@code nebula -test} on {@code configFile}: empty when nebula accepts it, else
     * {@code "nebula refused the config: "} and nebula's reason.
     *
     * @throws OverlayException when the test itself cannot run
     */
    static Optional<String> refusal(NebulaBinary bin, Path configFile) {
        Path out = null;
        try {
            out = Files.createTempFile("nebula-test", ".log");
            Process p = new ProcessBuilder(bin.path().toString(), "-test", "-config", configFile.toString())
                    .redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new OverlayException("nebula -test did not finish within 30 s");
            }
            if (p.exitValue() == 0) {
                return Optional.empty();
            }
            String reason = null;
            List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
            for (String line : lines) {
                NebulaLogEvent e = NebulaLogPump.parse(line);
                if (e.isError()) {
                    reason = e.json() ? e.describe() : line;
                }
            }
            if (reason == null && !lines.isEmpty()) {
                reason = lines.get(lines.size() - 1);
            }
            return Optional.of("nebula refused the config: " + (reason == null ? "exit code " + p.exitValue() : reason));
        } catch (IOException e) {
            throw new OverlayException("cannot run " + bin.path() + " -test: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OverlayException("interrupted while nebula checked the config", e);
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // a leftover log of a refused config holds no secret
                }
            }
        }
    }

    static void deleteTree(Path dir) {
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            LOG.warn("cannot remove {}: {}", dir, e.getMessage());
        }
    }

    static void signal(long pid, String signal) {
        // Java has no API to send a signal other than TERM and KILL; kill(1) does it.
        try {
            Process p = new ProcessBuilder("kill", "-s", signal, Long.toString(pid))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new OverlayException("kill -s " + signal + " " + pid + " failed; the daemon did not reload");
            }
        } catch (IOException e) {
            throw new OverlayException("cannot run kill to send SIG" + signal + " to " + pid + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OverlayException("interrupted while signalling the daemon", e);
        }
    }
}
