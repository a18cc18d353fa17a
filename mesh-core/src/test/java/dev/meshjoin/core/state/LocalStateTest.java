package dev.meshjoin.core.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.MeshException;
import dev.meshjoin.api.ca.HostKeyPair;
import dev.meshjoin.core.record.Role;
import dev.meshjoin.testkit.Concurrently;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalStateTest {
    @TempDir
    Path tmp;

    private static final LocalState.Identity ID =
            new LocalState.Identity("prod", "worker-7", Role.MEMBER, "ab12", "10.42.0.7/16");

    @Test
    void whatIsSavedIsReadBackAndOnlyTheOwnerCanReadIt() throws Exception {
        LocalState state = new LocalState(tmp.resolve("node"));
        state.prepare();
        byte[] pub = {1, 2, 3};
        byte[] priv = {9, 8, 7, 6};

        state.saveIdentity(ID);
        state.saveKeyPair(new HostKeyPair(pub, priv));
        state.saveCertificate("PEM".getBytes(StandardCharsets.US_ASCII));

        LocalState again = new LocalState(tmp.resolve("node"));
        assertThat(again.identity()).contains(ID);
        HostKeyPair pair = again.keyPair().orElseThrow();
        assertThat(pair.publicKey()).containsExactly(pub);
        assertThat(pair.privateKey()).containsExactly(priv);
        assertThat(again.certificate().orElseThrow()).asString(StandardCharsets.US_ASCII).isEqualTo("PEM");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("node")))).isEqualTo("rwx------");
        try (Stream<Path> files = Files.list(tmp.resolve("node"))) {
            assertThat(files.toList()).hasSize(4).allSatisfy(f ->
                    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------"));
        }
    }

    @Test
    void prepareTightensAnExistingDirectory() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("open"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
        new LocalState(dir).prepare();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
    }

    @Test
    void aFreshDirectoryHasNoIdentityNoKeysAndNoCertificate() {
        LocalState state = new LocalState(tmp.resolve("fresh"));
        state.prepare();
        assertThat(state.identity()).isEmpty();
        assertThat(state.keyPair()).isEmpty();
        assertThat(state.certificate()).isEmpty();
    }

    @Test
    void halfAKeyPairIsNoKeyPair() throws Exception {
        LocalState state = new LocalState(tmp);
        state.saveKeyPair(new HostKeyPair(new byte[] {1}, new byte[] {2}));
        Files.delete(tmp.resolve("host.pub"));
        assertThat(state.keyPair()).isEmpty();
    }

    @Test
    void aStateDirectoryThatCannotBeCreatedIsAConfigurationErrorNamingIt() throws Exception {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        assertThatThrownBy(() -> new LocalState(file.resolve("node")).prepare())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining(file.resolve("node").toString())
                .hasMessageContaining("choose a writable directory");
    }

    @Test
    void damagedFilesAreReportedWithWhatToDoAndLeftAsTheyAre() throws Exception {
        LocalState state = new LocalState(tmp);
        Files.writeString(tmp.resolve("node.json"), "{\"network\": ");
        Files.writeString(tmp.resolve("host.key"), "not base64 !!");
        Files.writeString(tmp.resolve("host.pub"), "AQID");

        assertThatThrownBy(state::identity).isInstanceOf(MeshException.class)
                .hasMessageContaining(tmp.resolve("node.json").toString()).hasMessageContaining("move it away");
        assertThatThrownBy(state::keyPair).isInstanceOf(MeshException.class)
                .hasMessageContaining(tmp.resolve("host.key").toString()).hasMessageContaining("join afresh");
        assertThat(Files.readString(tmp.resolve("node.json"))).isEqualTo("{\"network\": ");
        assertThat(Files.readString(tmp.resolve("host.key"))).isEqualTo("not base64 !!");
    }

    @Test
    void forgettingTheMembershipKeepsTheKeyPair() {
        LocalState state = new LocalState(tmp);
        state.saveIdentity(ID);
        state.saveCertificate(new byte[] {1});
        state.saveKeyPair(new HostKeyPair(new byte[] {1}, new byte[] {2}));

        state.forgetMembership();

        assertThat(state.identity()).isEmpty();
        assertThat(state.certificate()).isEmpty();
        assertThat(state.keyPair()).isPresent();
    }

    @Test
    void readersNeverSeeAHalfWrittenFileWhileWritersReplaceIt() throws Exception {
        LocalState state = new LocalState(tmp);
        state.prepare();
        state.saveIdentity(ID);
        AtomicBoolean stop = new AtomicBoolean();
        List<Integer> results = Concurrently.run(8, i -> () -> {
            int reads = 0;
            if (i < 4) {
                for (int n = 0; n < 300; n++) {
                    state.saveIdentity(new LocalState.Identity("prod", "worker-" + i + "-" + n, Role.MEMBER,
                            "ab".repeat(64), "10.42.0." + i + "/16"));
                }
                return 0;
            }
            while (!stop.get() && reads < 3000) {
                Optional<LocalState.Identity> seen = state.identity();
                assertThat(seen).isPresent();
                assertThat(seen.get().network()).isEqualTo("prod");
                reads++;
            }
            return reads;
        });
        stop.set(true);

        assertThat(results.subList(4, 8)).allSatisfy(r -> assertThat(r).isPositive());
        try (Stream<Path> files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList())
                    .as("no temporary files left behind").containsExactly("node.json");
        }
    }
}
