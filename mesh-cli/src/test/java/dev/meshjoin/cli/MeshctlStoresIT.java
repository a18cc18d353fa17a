package dev.meshjoin.cli;

import static dev.meshjoin.cli.MeshctlLab.READY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meshjoin.testkit.netns.NetnsHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code meshctl up} on the stores that are not files, from the command line: a real etcd and the
 * local Workers KV server, each run inside the lab's first namespace so the nodes reach it as they
 * would a store on the network (etcd on that host's lab address, so a second namespace joins
 * through it; the KV server on that namespace's loopback, as the KV client allows plain http only
 * there). Real nebula; needs root, nebula and (for the first test) etcd.
 */
class MeshctlStoresIT extends MeshctlLabIT {
    private static final Map<String, String> SECRETS = Map.of("MESH_SECRET", "stores-it-network-secret",
            "MESH_CA_PASSPHRASE", "stores-it-ca-passphrase");

    private static final Pattern FOUNDED = Pattern.compile("(?m)^joined in \\d+ ms as founder\\b");
    private static final Pattern JOINED = Pattern.compile("(?m)^joined in \\d+ ms( \\(|$)");

    private List<String> args(String name, String store, NetnsHost host) {
        return List.of("--name", name, "--store", store, "--state-dir", tmp.resolve(name).toString(),
                "--public-endpoint", host.address() + ":4242", "--network", "it");
    }

    @Test
    void upWithAnEtcdStoreFoundsAndAnotherNamespaceJoinsThroughIt() throws Exception {
        Path etcd = Path.of(System.getenv().getOrDefault("ETCD_BINARY", "/usr/bin/etcd"));
        assumeTrue(Files.isExecutable(etcd) || MeshctlLab.onPath("etcd"),
                "skipped: etcd is not installed (apt-get install etcd-server)");
        lab = MeshctlLab.create(2, tmp);
        NetnsHost h1 = lab.host(1);
        String client = "http://" + h1.address() + ":2379";
        String peer = "http://127.0.0.1:2380";
        lab.run(h1, "etcd", List.of(Files.isExecutable(etcd) ? etcd.toString() : "etcd", "--name", "it",
                "--data-dir", tmp.resolve("etcd-data").toString(), "--listen-client-urls", client,
                "--advertise-client-urls", client, "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", "it=" + peer, "--log-level", "info"));
        lab.await("etcd", Pattern.compile("ready to serve client requests|serving insecure client requests"), 0, 30_000);
        String store = "etcd://" + h1.address() + ":2379/meshjoin-it";

        lab.up(h1, "node-1", SECRETS, args("node-1", store, h1));
        String founder = lab.await("node-1", READY, 0, 60_000).group(1);
        lab.await("node-1", FOUNDED, 0, 10_000);
        lab.up(lab.host(2), "node-2", SECRETS, args("node-2", store, lab.host(2)));
        String joiner = lab.await("node-2", READY, 0, 90_000).group(1);
        lab.await("node-2", JOINED, 0, 10_000);

        assertThat(lab.output("node-1")).doesNotContain("FALLBACK");
        assertThat(lab.output("node-2")).doesNotContain("as founder").doesNotContain("FALLBACK");
        assertThat(joiner).isNotEqualTo(founder);
        assertThat(lab.host(2).ping(dev.meshjoin.api.net.Ipv4Address.parse(founder))).as("over the overlay").isTrue();
    }

    @Test
    void upWithAWorkersKvStoreFoundsAgainstTheLocalKvServer() throws Exception {
        lab = MeshctlLab.create(1, tmp);
        NetnsHost h1 = lab.host(1);
        lab.java(h1, "kv", "dev.meshjoin.cli.KvServerMain", List.of("kv-it-token", "500"));
        Matcher kv = lab.await("kv", Pattern.compile("(?m)^KV (\\S+) (\\S+) (\\S+)$"), 0, 30_000);
        String store = "cloudflare-kv://" + kv.group(2) + "/" + kv.group(3) + "?endpoint=" + kv.group(1)
                + "&propagation=PT1S";
        Map<String, String> env = new java.util.HashMap<>(SECRETS);
        env.put("CLOUDFLARE_API_TOKEN", "kv-it-token");

        lab.up(h1, "node-1", env, args("node-1", store, h1));

        lab.await("node-1", READY, 0, 90_000);
        lab.await("node-1", FOUNDED, 0, 10_000);
        assertThat(lab.output("node-1")).contains("cloudflare-kv:").doesNotContain("FALLBACK");
    }
}
