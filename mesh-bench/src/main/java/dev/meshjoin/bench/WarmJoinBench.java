package dev.meshjoin.bench;

import dev.meshjoin.MeshJoin;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.core.MeshNode;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.NodeStatus;
import dev.meshjoin.api.join.JoinCredentials;
import dev.meshjoin.core.signing.NetworkSecretCredentials;
import dev.meshjoin.core.store.BootstrapStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The embedded join as a worker process sees it: {@code join()} to READY with the real Nebula
 * daemon, in a JVM that is already running. The first join of the JVM is printed apart (cold:
 * class loading, JIT, and the secret's PBKDF2 when it is a passphrase rather than a
 * network key); then {@code joins} more, each a new node (new key pair,
 * new address, new overlay) with the worker's same credentials, left before the next. Needs a
 * running lighthouse of the network reachable from here (demo.sh --measure runs this inside a
 * node's namespace against the demo's founder) and root for nebula's tun device.
 *
 * <pre>
 * MESH_SECRET_FILE=… java -cp "mesh-bench/target/mesh-bench-0.1.0-SNAPSHOT.jar:mesh-bench/target/lib/*" \
 *     dev.meshjoin.bench.WarmJoinBench STORE-URI NETWORK [joins after the first, default 7]
 * </pre>
 */
public final class WarmJoinBench {
    private WarmJoinBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            throw new IllegalArgumentException("usage: WarmJoinBench STORE-URI NETWORK [joins]");
        }
        int joins = args.length > 2 ? Integer.parseInt(args[2]) : 7;
        // MESH_SECRET or MESH_SECRET_FILE, as a node reads it: a secret need not be on a command line.
        dev.meshjoin.api.secret.SecretValue secret = dev.meshjoin.api.secret.SecretSource.process().read("MESH_SECRET")
                .filter(v -> !v.isEmpty())
                .orElseThrow(() -> new IllegalArgumentException("set MESH_SECRET or MESH_SECRET_FILE to the network secret"));
        JoinCredentials credentials = new NetworkSecretCredentials(secret.chars());
        Path dir = Files.createTempDirectory("warm-join-bench");
        List<Double> warm = new ArrayList<>();
        // Per state, the milliseconds each warm join spent in it: where the time goes.
        Map<NodeState, List<Double>> phases = new LinkedHashMap<>();
        try (BootstrapStore store = BootstrapStores.open(args[0])) {
            for (int i = 0; i <= joins; i++) {
                MeshNode node = MeshJoin.builder().store(store).networkName(args[1]).credentials(credentials)
                        .nodeName("warm-" + ProcessHandle.current().pid() + "-" + i)
                        .stateDirectory(dir.resolve("n" + i))
                        .build();
                long[] entered = {System.nanoTime()};
                NodeState[] current = {NodeState.DISCOVERING};
                Map<NodeState, Double> spent = new LinkedHashMap<>();
                node.addListener((before, now) -> {
                    if (now.state() != current[0]) {
                        long t = System.nanoTime();
                        spent.merge(current[0], (t - entered[0]) / 1e6, Double::sum);
                        entered[0] = t;
                        current[0] = now.state();
                    }
                });
                long t0 = System.nanoTime();
                NodeStatus status = node.join();
                double ms = (System.nanoTime() - t0) / 1e6;
                Map<NodeState, Double> toReady = new LinkedHashMap<>(spent);
                if (status.state() != NodeState.READY) {
                    node.close();
                    throw new IllegalStateException("join " + i + " ended " + status.state() + ": " + status.detail());
                }
                node.leave();
                if (i == 0) {
                    System.out.printf("first join in this JVM: %.0f ms (ms per state: %s)%n", ms, toReady.entrySet().stream()
                            .map(e -> e.getKey() + " " + Math.round(e.getValue())).collect(Collectors.joining(", ")));
                } else {
                    warm.add(ms);
                    toReady.forEach((state, t) -> phases.computeIfAbsent(state, k -> new ArrayList<>()).add(t));
                }
            }
        }
        List<Double> sorted = new ArrayList<>(warm);
        Collections.sort(sorted);
        System.out.printf("warm embedded join() -> READY over %d joins: %s ms; median %.0f ms, min %.0f, max %.0f%n",
                joins, warm.stream().map(d -> String.format("%.0f", d)).toList(), sorted.get(sorted.size() / 2),
                sorted.get(0), sorted.get(sorted.size() - 1));
        StringBuilder where = new StringBuilder("median ms per state:");
        phases.forEach((state, times) -> {
            List<Double> t = new ArrayList<>(times);
            Collections.sort(t);
            where.append(String.format(" %s %.0f", state, t.get(t.size() / 2)));
        });
        System.out.println(where);
    }
}
