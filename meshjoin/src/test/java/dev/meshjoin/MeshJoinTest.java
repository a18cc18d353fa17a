package dev.meshjoin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.secret.SecretValue;
import dev.meshjoin.core.MeshNode;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.NodeStatus;
import dev.meshjoin.testkit.ca.TestDoubleCertificateAuthorityProvider;
import dev.meshjoin.testkit.overlay.InMemoryOverlayDriver;
import dev.meshjoin.testkit.store.InMemoryBootstrapStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeshJoinTest {
    private static final char[] SECRET = "a-network-secret-long-enough".toCharArray();
    private static final char[] CA = "a-ca-passphrase-long-enough".toCharArray();

    @TempDir
    Path dir;

    @BeforeEach
    void reset() {
        RecordingStoreProvider.reset();
    }

    private MeshJoin.Builder founder() {
        return MeshJoin.builder().nodeName("worker-7").networkSecret(SECRET).caPassphrase(CA)
                .stateDirectory(dir.resolve("state")).publicEndpoint("127.0.0.1:4242")
                .overlay(new InMemoryOverlayDriver()).certificateAuthorities(new TestDoubleCertificateAuthorityProvider());
    }

    @Test
    void aNodeFoundsWithTheFourSettingsAndClosesTheStoreItOpened() {
        List<NodeState> seen = new ArrayList<>();
        MeshNode node = founder().store("recording:one").listener((before, now) -> seen.add(now.state())).build();
        assertThat(RecordingStoreProvider.OPENED).extracting(Object::toString).containsExactly("recording:one");

        NodeStatus status = node.join();

        assertThat(status.state()).as(status.detail()).isEqualTo(NodeState.READY);
        assertThat(status.founder()).isTrue();
        assertThat(seen).contains(NodeState.FOUNDING, NodeState.READY);
        dev.meshjoin.core.NetworkInfo network = node.network().orElseThrow();
        assertThat(network.name()).isEqualTo("mesh");
        assertThat(network.cidr()).isEqualTo(dev.meshjoin.api.net.Ipv4Cidr.parse("10.42.0.0/16"));
        assertThat(network.founder()).isEqualTo("worker-7");
        assertThat(network.lighthouses()).extracting(dev.meshjoin.core.NetworkInfo.Lighthouse::name).containsExactly("worker-7");
        assertThat(network.caFingerprint()).isEqualTo(node.certificate().orElseThrow().issuer());
        assertThat(node.liveEntryPoints()).isEmpty();
        assertThat(node.heartbeatNow()).isTrue();
        assertThat(RecordingStoreProvider.CLOSED).hasValue(0);
        node.close();
        assertThat(RecordingStoreProvider.CLOSED).as("closed with the node").hasValue(1);
        node.close();
        assertThat(RecordingStoreProvider.CLOSED).as("once").hasValue(1);
    }

    @Test
    void aStoreHandedInIsNeverClosedByTheNode() {
        InMemoryBootstrapStore store = InMemoryBootstrapStore.linearizable();
        try (MeshNode node = founder().store(store).build()) {
            assertThat(node.join().state()).isEqualTo(NodeState.READY);
        }
        assertThat(store.get("mesh/mesh/network")).as("the store still answers").isPresent();
    }

    @Test
    void aNodeThatWasNeverJoinedStillClosesItsStore() {
        founder().store("recording:idle").build().close();
        assertThat(RecordingStoreProvider.CLOSED).hasValue(1);
    }

    @Test
    void whenBuildingFailsAfterTheStoreWasOpenedTheStoreIsClosed() {
        assertThatThrownBy(() -> founder().store("recording:x").customize(b -> {
            throw new ConfigurationException("refused by a customizer");
        }).build()).hasMessage("refused by a customizer");
        assertThat(RecordingStoreProvider.OPENED).hasSize(1);
        assertThat(RecordingStoreProvider.CLOSED).hasValue(1);
    }

    @Test
    void everyMissingOrWrongSettingIsRefusedBeforeTheStoreIsOpened() {
        String uri = "recording:never";
        assertThatThrownBy(() -> founder().nodeName(null).store(uri).build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("MESH_NAME");
        assertThatThrownBy(() -> founder().stateDirectory(null).store(uri).build())
                .hasMessageContaining("state directory").hasMessageContaining("MESH_STATE_DIR");
        assertThatThrownBy(() -> founder().build()).hasMessageContaining("bootstrap store").hasMessageContaining("MESH_STORE");
        assertThatThrownBy(() -> MeshJoin.builder().nodeName("n").stateDirectory(dir).store(uri).build())
                .hasMessageContaining("MESH_SECRET_FILE").hasMessageContaining("MESH_TOKEN");
        assertThatThrownBy(() -> founder().networkSecret("short".toCharArray()).store(uri).build())
                .hasMessageContaining("at least 16 characters");
        assertThatThrownBy(() -> founder().caPassphrase((SecretValue) null).store(uri).build())
                .hasMessageContaining("public endpoint").hasMessageContaining("MESH_CA_PASSPHRASE_FILE");
        assertThatThrownBy(() -> founder().caPassphrase(SECRET).store(uri).build())
                .hasMessageContaining("MESH_CA_PASSPHRASE must differ from MESH_SECRET");
        assertThatThrownBy(() -> founder().caPassphrase("too-short".toCharArray()).store(uri).build())
                .hasMessage("the CA passphrase is 9 characters; the CA passphrase must be at least 16 (a random one:"
                        + " openssl rand -base64 32 > ca-passphrase; chmod 600 ca-passphrase;"
                        + " MESH_CA_PASSPHRASE_FILE=ca-passphrase)");
        assertThatThrownBy(() -> founder().enrollmentToken("not-a-token").store(uri).build())
                .hasMessageContaining("the enrollment token is not an enrollment token")
                .hasMessageNotContaining("not-a-token is");
        assertThat(RecordingStoreProvider.OPENED).isEmpty();
        assertThat(dir.resolve("state")).doesNotExist();
    }

    @Test
    void aStoreUriWithoutASchemeSaysWhatToWrite() {
        assertThatThrownBy(() -> founder().store("/var/lib/meshjoin/store"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("has no scheme; write file:/var/lib/meshjoin/store")
                .hasMessageContaining("recording");
    }

    @Test
    void theNebulaOverlayAndCertificatesAreFoundOnTheClassPath() {
        MeshNode node = MeshJoin.builder().nodeName("n1").networkSecret(SECRET).stateDirectory(dir)
                .store(InMemoryBootstrapStore.linearizable()).build();
        node.close();
        assertThatThrownBy(() -> MeshJoin.builder().nodeName("n1").networkSecret(SECRET).stateDirectory(dir)
                .store(InMemoryBootstrapStore.linearizable()).overlay("wireguard").build())
                .hasMessageContaining("an overlay driver named 'wireguard'").hasMessageContaining("found [nebula]");
    }
}
