package dev.meshjoin.nebula.overlay;

import dev.meshjoin.api.net.Ipv4Address;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The health probe: one {@code ping -c1 -W1 -n -q <overlay-ip>} per target, all at once, run
 * through the driver's launcher so it leaves from the same network namespace as the daemon. A
 * target that answers proves the whole path: tun device, handshake, encryption, the peer's
 * daemon and its firewall. The first packet to a peer also makes Nebula start the handshake, so
 * the probe is not only a check but the trigger that brings the tunnel up.
 */
final class PingProbe {
    private final List<String> launcher;

    PingProbe(List<String> launcher) {
        this.launcher = List.copyOf(launcher);
    }

    /** The command that pings one address. */
    List<String> command(Ipv4Address target) {
        List<String> cmd = new ArrayList<>(launcher);
        cmd.addAll(List.of("ping", "-c1", "-W1", "-n", "-q", target.toString()));
        return cmd;
    }

    /**
     * Pings every target once, concurrently, and returns the first that answered; takes at most
     * about a second when none does.
     */
    Optional<Ipv4Address> firstAnswer(List<Ipv4Address> targets) throws InterruptedException {
        List<Process> running = new ArrayList<>();
        List<Ipv4Address> order = new ArrayList<>();
        try {
            for (Ipv4Address t : targets) {
                try {
                    running.add(new ProcessBuilder(command(t))
                            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .redirectError(ProcessBuilder.Redirect.DISCARD)
                            .start());
                    order.add(t);
                } catch (IOException e) {
                    throw new IllegalStateException("cannot run ping (" + String.join(" ", command(t))
                            + "): " + e.getMessage() + "; install iputils-ping", e);
                }
            }
            // The first ping that exits 0 completes the result; when all have exited, nobody answered.
            CompletableFuture<Optional<Ipv4Address>> result = new CompletableFuture<>();
            List<CompletableFuture<Process>> exits = new ArrayList<>();
            for (int i = 0; i < running.size(); i++) {
                Ipv4Address target = order.get(i);
                exits.add(running.get(i).onExit().whenComplete((p, err) -> {
                    if (p != null && p.exitValue() == 0) {
                        result.complete(Optional.of(target));
                    }
                }));
            }
            CompletableFuture.allOf(exits.toArray(CompletableFuture[]::new))
                    .whenComplete((v, err) -> result.complete(Optional.empty()));
            try {
                return result.get(3, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                return Optional.empty();
            }
        } finally {
            for (Process p : running) {
                p.destroyForcibly();
            }
        }
    }
}
