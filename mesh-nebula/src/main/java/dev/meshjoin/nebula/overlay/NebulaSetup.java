package dev.meshjoin.nebula.overlay;

import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.api.overlay.OverlayConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * What a config needs in place before the driver's daemon reads it: the binary found and new
 * enough, the tun device name, no orphan daemon left on the node's files, and the files themselves: at once for a start, only after {@code nebula -test} for a reload (see
 * {@link NebulaConfigFiles}). It also decides whether a new config can be reloaded or needs a restart.
 */
final class NebulaSetup {
    /** What one config was set up with. */
    record Installed(NebulaBinary binary, String tunDevice, Path configFile, DaemonPidFile pidFile) {
    }

    private final Path explicitBinary;
    private final Map<String, String> environment;
    private final String tunDeviceOverride;
    private final Duration stopGrace;
    /** The state directory whose orphans the last preflight stopped, so that the start right after need not look again. */
    private volatile Path orphansStoppedIn;

    NebulaSetup(Path explicitBinary, Map<String, String> environment, String tunDeviceOverride, Duration stopGrace) {
        this.explicitBinary = explicitBinary;
        this.environment = Map.copyOf(environment);
        this.tunDeviceOverride = tunDeviceOverride;
        if (tunDeviceOverride != null) {
            NebulaConfigRenderer.checkTunName(tunDeviceOverride);
        }
        this.stopGrace = stopGrace;
    }

    /** Stops a killed run's daemon in {@code stateDirectory} (if given), checks the binary, then that nebula could listen on {@code listen}. */
    void preflight(Endpoint listen, Path stateDirectory) {
        DaemonPidFile.stopOrphansIn(stateDirectory, stopGrace);
        orphansStoppedIn = stateDirectory == null ? null : stateDirectory.toAbsolutePath().normalize();
        NebulaBinary.locate(explicitBinary, environment);
        if (listen != null) {
            ListenCheck.check(listen);
        }
    }

    /** Sets up a first daemon for {@code config}: nothing runs on its files yet. */
    Installed forStart(OverlayConfig config) {
        NebulaBinary bin = NebulaBinary.locate(explicitBinary, environment);
        String tun = tunDevice(config);
        Path dir = config.stateDirectory().toAbsolutePath().normalize();
        DaemonPidFile pids = new DaemonPidFile(dir.resolve(NebulaConfigFiles.CONFIG_FILE));
        if (!dir.equals(orphansStoppedIn)) {
            pids.stopOrphans(stopGrace);
        }
        orphansStoppedIn = null;
        return new Installed(bin, tun, NebulaConfigFiles.install(config, tun), pids);
    }

    /** Installs {@code next} beside a running daemon, once {@code nebula -test} accepted it. */
    Installed forReload(Installed running, OverlayConfig next) {
        String tun = tunDevice(next);
        Path file = NebulaConfigFiles.writeChecked(running.binary(), next, tun);
        return new Installed(running.binary(), tun, file, running.pidFile());
    }

    /**
     * Whether going from {@code previous} to {@code next} needs a new daemon: SIGHUP makes Nebula
     * re-read its certificate, CA, lighthouses, static host map, blocklist and firewall, but not
     * its address, listen port, lighthouse role, node name or state directory.
     */
    static boolean needsRestart(OverlayConfig previous, OverlayConfig next) {
        return !previous.address().equals(next.address()) || previous.listenPort() != next.listenPort()
                || previous.lighthouse() != next.lighthouse() || !previous.nodeName().equals(next.nodeName())
                || !previous.stateDirectory().equals(next.stateDirectory());
    }

    private String tunDevice(OverlayConfig config) {
        return tunDeviceOverride != null ? tunDeviceOverride : NebulaConfigFiles.tunDeviceFor(config);
    }
}
