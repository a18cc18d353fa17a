package dev.meshjoin.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.api.ca.CaSpec;
import dev.meshjoin.api.ca.CertificateAuthority;
import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.net.Ipv4Cidr;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.core.lighthouse.CaVault;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.record.MemberRecord;
import dev.meshjoin.core.record.NetworkRecord;
import dev.meshjoin.core.record.NetworkRecords;
import dev.meshjoin.core.record.Role;
import dev.meshjoin.core.record.StoreKeys;
import dev.meshjoin.core.record.Versioned;
import dev.meshjoin.core.store.BootstrapStores;
import dev.meshjoin.nebula.cert.NebulaCertificateAuthorityProvider;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** meshctl ca rotate / ca retire against a file store holding a network with a real Nebula CA. */
class CaRotationCommandTest {
    private static final String PASSPHRASE = "a-ca-passphrase-long-enough";
    private final NebulaCertificateAuthorityProvider provider = new NebulaCertificateAuthorityProvider();
    private final StoreKeys keys = StoreKeys.of("prod");
    @TempDir
    Path dir;
    private String store;
    private String founding;

    private record Run(int status, String out, String err) {
    }

    private dev.meshjoin.core.trust.RecordTrust founder;

    @BeforeEach
    void foundANetwork() {
        store = "file:" + dir.resolve("store");
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        CertificateAuthority ca = provider.create(CaSpec.forNetwork("prod mesh CA", Ipv4Cidr.parse("10.42.0.0/16"),
                Duration.ofDays(365)));
        founding = ca.caCertificate().fingerprint();
        try (BootstrapStore s = BootstrapStores.open(store)) {
            new CaVault(s, keys, provider, dev.meshjoin.core.secret.SecretCodecs.passphrase(PASSPHRASE.toCharArray())).seal(ca, salt);
            // Signed by its CA, as a founder writes it.
            founder = new dev.meshjoin.core.trust.RecordTrust(keys, provider).pin(List.of(founding));
            founder.signWith(ca);
            dev.meshjoin.core.trust.TrustedStore.wrap(s, founder).putIfAbsent(keys.network(), Json.write(new NetworkRecord(
                    Versioned.SCHEMA, "prod", "10.42.0.0/16", provider.type(), ca.caCertificate().pemText(), founding,
                    List.of(new NetworkRecord.LighthouseEntry("lh", "10.42.0.1", List.of("127.0.0.1:4242"),
                            "127.0.0.1:8444")), "lh", Instant.now(), Base64.getEncoder().encodeToString(salt))));
            member(s, "worker", founding, Instant.now().plus(Duration.ofDays(30)));
        }
    }

    /** Member records are signed by the CA, as the lighthouse that admits a member writes them. */
    private void member(BootstrapStore raw, String node, String issuer, Instant notAfter) {
        BootstrapStore s = dev.meshjoin.core.trust.TrustedStore.wrap(raw, founder);
        byte[] rec = Json.write(new MemberRecord(Versioned.SCHEMA, node, "10.42.0.2", List.of(), Role.MEMBER, null, "fp",
                notAfter, Instant.now(), issuer));
        s.get(keys.member(node)).ifPresentOrElse(e -> s.compareAndSet(keys.member(node), e.version(), rec),
                () -> s.putIfAbsent(keys.member(node), rec));
    }

    private Run ca(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new java.util.ArrayList<>(List.of("ca"));
        all.addAll(List.of(args));
        int status = new Meshctl().run(new Invocation(all, Meshctl.emptyInput(), new PrintStream(out, true, UTF_8),
                new PrintStream(err, true, UTF_8), env, dir));
        return new Run(status, out.toString(UTF_8), err.toString(UTF_8));
    }

    private Map<String, String> withPassphrase() {
        return Map.of("MESH_CA_PASSPHRASE", PASSPHRASE);
    }

    private List<String> trusted() {
        try (BootstrapStore s = BootstrapStores.open(store)) {
            return provider.verifier(NetworkRecords.read(s, keys).orElseThrow().caBundle()).trusted().stream()
                    .map(HostCertificate::fingerprint).toList();
        }
    }

    private String signing() {
        try (BootstrapStore s = BootstrapStores.open(store)) {
            return NetworkRecords.read(s, keys).orElseThrow().caFingerprint();
        }
    }

    @Test
    void rotateThenRetireOnceNoLiveCertificateNeedsTheOldCa() {
        Run rotated = ca(withPassphrase(), "rotate", "--store", store, "--network", "prod");
        assertThat(rotated.status).as(rotated.err).isZero();
        String next = signing();
        assertThat(next).isNotEqualTo(founding);
        assertThat(rotated.out).contains("signing CA " + next).contains("meshctl ca retire --store " + store
                + " --network prod " + founding);
        assertThat(trusted()).containsExactly(founding, next);

        Run refused = ca(withPassphrase(), "retire", "--store", store, "--network", "prod", founding);
        assertThat(refused.status).isEqualTo(1);
        assertThat(refused.err.strip()).startsWith("ca retire: refused: 1 live certificate still needs CA " + founding
                + " (worker until ");
        assertThat(trusted()).containsExactly(founding, next);

        try (BootstrapStore s = BootstrapStores.open(store)) {
            member(s, "worker", next, Instant.now().plus(Duration.ofDays(30)));
        }
        Run retired = ca(Map.of("MESH_CA_PASSPHRASE", PASSPHRASE), "retire", "-store", store, "-network", "prod", founding);
        assertThat(retired.status).as(retired.err).isZero();
        assertThat(retired.out.strip()).isEqualTo("retired CA " + founding);
        assertThat(trusted()).containsExactly(next);
    }

    @Test
    void thePassphraseComesFromAFileToo() throws Exception {
        Path f = dir.resolve("ca-passphrase");
        Files.writeString(f, PASSPHRASE + "\n", UTF_8);
        Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Run rotated = ca(Map.of("MESH_CA_PASSPHRASE_FILE", f.toString()), "rotate", "--store", store, "--network", "prod");
        assertThat(rotated.status).as(rotated.err).isZero();
        assertThat(trusted()).hasSize(2);
    }

    @Test
    void refusalsSayWhatToDoAndChangeNothing() {
        Run none = ca(Map.of(), "rotate", "--store", store, "--network", "prod");
        assertThat(none.status).isEqualTo(2);
        assertThat(none.err).contains("ca rotate: set the CA passphrase in MESH_CA_PASSPHRASE or MESH_CA_PASSPHRASE_FILE");

        Run wrong = ca(Map.of("MESH_CA_PASSPHRASE", "another-passphrase-entirely"), "rotate", "--store", store,
                "--network", "prod");
        assertThat(wrong.status).isEqualTo(1);
        assertThat(wrong.err).contains("ca rotate: cannot open the sealed CA key").contains("passphrase");

        Run noFingerprint = ca(withPassphrase(), "retire", "--store", store, "--network", "prod");
        assertThat(noFingerprint.status).isEqualTo(2);
        assertThat(noFingerprint.err).contains("usage: meshctl ca retire --store URI --network NAME FINGERPRINT");

        Run current = ca(withPassphrase(), "retire", "--store", store, "--network", "prod", founding);
        assertThat(current.status).isEqualTo(1);
        assertThat(current.err).contains("is the network's signing CA; rotate first");

        Run noNetwork = ca(withPassphrase(), "rotate", "--store", store, "--network", "other");
        assertThat(noNetwork.status).isEqualTo(1);
        assertThat(noNetwork.err).contains("there is no network other");

        assertThat(trusted()).containsExactly(founding);
        assertThat(signing()).isEqualTo(founding);
    }

    @Test
    void theNebulaCertFormStillCreatesACaFilePair() {
        Run r = ca(new HashMap<>(), "-name", "My mesh", "-out-crt", "ca.crt", "-out-key", "ca.key");
        assertThat(r.status).as(r.err).isZero();
        assertThat(dir.resolve("ca.crt")).exists();
        assertThat(dir.resolve("ca.key")).exists();
    }
}
