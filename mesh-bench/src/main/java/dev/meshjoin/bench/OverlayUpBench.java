package dev.meshjoin.bench;

import dev.meshjoin.api.ca.CaSpec;
import dev.meshjoin.api.ca.CertificateAuthority;
import dev.meshjoin.api.ca.CertificateRequest;
import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.ca.HostKeyPair;
import dev.meshjoin.api.net.Endpoint;
import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.api.net.Ipv4Cidr;
import dev.meshjoin.api.net.Ipv4Interface;
import dev.meshjoin.api.overlay.Lighthouse;
import dev.meshjoin.api.overlay.OverlayConfig;
import dev.meshjoin.nebula.cert.NebulaCertificateAuthorityProvider;
import dev.meshjoin.nebula.overlay.NebulaOverlayDriver;
import dev.meshjoin.testkit.netns.NetnsLab;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Time from {@link NebulaOverlayDriver#start} to UP with the real {@code nebula} daemon in network
 * namespaces: a lighthouse alone (UP = daemon running with its tun device), then a joiner
 * started and stopped {@code runs} times against the running lighthouse (UP = the lighthouse
 * answered a ping over the overlay). Includes the binary check (its {@code nebula -version} only
 * the first time in the JVM), writing the files, the daemon's start, the handshake and the probe.
 * Needs root, iproute2, ping and nebula.
 *
 * <pre>
 * ./mvnw -q -DskipTests package -pl mesh-bench -am
 * java -cp "mesh-bench/target/mesh-bench-0.1.0-SNAPSHOT.jar:mesh-bench/target/lib/*" \
 *     dev.meshjoin.bench.OverlayUpBench [runs]
 * </pre>
 */
public final class OverlayUpBench {
    private OverlayUpBench() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        NetnsLab.unavailableReason().ifPresent(r -> {
            throw new IllegalStateException(r);
        });
        NebulaCertificateAuthorityProvider provider = new NebulaCertificateAuthorityProvider();
        CertificateAuthority ca = provider.create(CaSpec.forNetwork("bench", Ipv4Cidr.parse("10.79.0.0/24"), Duration.ofDays(1)));
        Path dir = Files.createTempDirectory("overlay-up-bench");
        try (NetnsLab lab = NetnsLab.create(2);
             NebulaOverlayDriver lhDriver = NebulaOverlayDriver.builder().launcher(lab.host(1).launcher()).build();
             NebulaOverlayDriver joinDriver = NebulaOverlayDriver.builder().launcher(lab.host(2).launcher()).build()) {
            Lighthouse lh = new Lighthouse("lh", Ipv4Address.parse("10.79.0.1"),
                    List.of(new Endpoint(lab.host(1).address().toString(), 4242)));
            OverlayConfig lhConfig = config(provider, ca, "lh", "10.79.0.1", true, lh, dir);
            OverlayConfig joinConfig = config(provider, ca, "w2", "10.79.0.2", false, lh, dir);
            long t0 = System.nanoTime();
            lhDriver.start(lhConfig);
            require(lhDriver.awaitUp(Duration.ofSeconds(30)), lhDriver);
            double lighthouseMs = (System.nanoTime() - t0) / 1e6;
            List<Double> joiner = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                long s = System.nanoTime();
                joinDriver.start(joinConfig);
                require(joinDriver.awaitUp(Duration.ofSeconds(30)), joinDriver);
                joiner.add((System.nanoTime() - s) / 1e6);
                joinDriver.stop();
            }
            List<Double> sorted = new ArrayList<>(joiner);
            Collections.sort(sorted);
            System.out.printf("lighthouse start->UP: %.0f ms%n", lighthouseMs);
            System.out.printf("joiner start->UP over %d runs: %s ms; median %.0f ms, min %.0f, max %.0f%n", runs,
                    joiner.stream().map(d -> String.format("%.0f", d)).toList(), sorted.get(sorted.size() / 2),
                    sorted.get(0), sorted.get(sorted.size() - 1));
        }
    }

    private static void require(boolean up, NebulaOverlayDriver driver) {
        if (!up) {
            throw new IllegalStateException("not up within 30 s: " + driver.health());
        }
    }

    private static OverlayConfig config(NebulaCertificateAuthorityProvider provider, CertificateAuthority ca, String name,
                                        String ip, boolean isLighthouse, Lighthouse lh, Path dir) {
        HostKeyPair keys = provider.newHostKeyPair();
        Ipv4Address address = Ipv4Address.parse(ip);
        HostCertificate cert = ca.issue(new CertificateRequest(keys.publicKey(), name, address, 24,
                List.of(isLighthouse ? "lighthouse" : "workers"), null));
        return OverlayConfig.builder().nodeName(name).address(new Ipv4Interface(address, 24)).certificatePem(cert.pem())
                .privateKey(keys.privateKey()).caBundlePem(ca.caCertificate().pem()).lighthouses(List.of(lh))
                .lighthouse(isLighthouse).listenPort(isLighthouse ? 4242 : 0).stateDirectory(dir.resolve(name)).build();
    }

}
