package dev.meshjoin.core.trust;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshjoin.api.ca.CaSpec;
import dev.meshjoin.api.ca.CertificateAuthority;
import dev.meshjoin.api.net.Ipv4Cidr;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.Entry;
import dev.meshjoin.core.AesGcmTestCodec;
import dev.meshjoin.core.MeshNode;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.NodeStatus;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.record.Role;
import dev.meshjoin.core.record.StoreKeys;
import dev.meshjoin.core.signing.CredentialAdmission;
import dev.meshjoin.core.signing.EnrollmentToken;
import dev.meshjoin.core.signing.EnrollmentTokenCredentials;
import dev.meshjoin.core.signing.EnrollmentTokens;
import dev.meshjoin.core.signing.NetworkSecretCredentials;
import dev.meshjoin.core.state.LocalState;
import dev.meshjoin.core.testing.MeshHarness;
import dev.meshjoin.testkit.ca.TestDoubleCertificateAuthorityProvider;
import dev.meshjoin.testkit.store.InMemoryBootstrapStore;
import dev.meshjoin.testkit.time.MutableClock;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The attacks of a store writer (a member with the store credential, a leaked token): each is
 * refused with its message, and nothing is acted on or corrupted.
 */
class StoreTamperingTest {
    private static final String ROGUE_SIGNING = "203.0.113.66:8444";
    private final MutableClock clock = MutableClock.startingNow();
    private final AesGcmTestCodec codec = AesGcmTestCodec.random();
    private final TestDoubleCertificateAuthorityProvider provider = new TestDoubleCertificateAuthorityProvider(clock);
    private final StoreKeys keys = StoreKeys.of("test");
    private InMemoryBootstrapStore store;
    private MeshHarness mesh;

    @BeforeEach
    void setUp() {
        store = InMemoryBootstrapStore.linearizable(clock);
        mesh = MeshHarness.builder().store(store).clock(clock).caProvider(provider).caKeyCodec(salt -> codec).build();
    }

    @AfterEach
    void tearDown() {
        mesh.close();
    }

    private String founded() {
        NodeStatus s = mesh.node("lh").join();
        assertThat(s.state()).as(s.detail()).isEqualTo(NodeState.READY);
        return caFingerprint();
    }

    private String caFingerprint() {
        return Json.mapper().valueToTree(Json.read(store.get(keys.network()).orElseThrow().value(),
                dev.meshjoin.core.record.NetworkRecord.class, "n")).get("caFingerprint").asText();
    }

    private MeshNode member(String name, List<String> pin) {
        return mesh.node(name, b -> b.publicEndpoint(null).caKeyCodec(null).caFingerprint(pin));
    }

    /** A second CA appended to the bundle, caFingerprint kept, the signing endpoint pointed at a rogue service. */
    private byte[] appendRogueCa() throws Exception {
        Entry e = store.get(keys.network()).orElseThrow();
        ObjectNode rec = (ObjectNode) Json.mapper().readTree(e.value());
        CertificateAuthority rogue = provider.create(CaSpec.forNetwork("rogue", Ipv4Cidr.parse("10.42.0.0/16"),
                Duration.ofDays(30)));
        rec.put("caBundle", rec.get("caBundle").asText() + rogue.caCertificate().pemText());
        ((ObjectNode) rec.get("lighthouses").get(0)).put("signingEndpoint", ROGUE_SIGNING);
        byte[] tampered = Json.write(rec);
        assertThat(store.compareAndSet(keys.network(), e.version(), tampered)).isPresent();
        return tampered;
    }

    /** The record replaced by one of a rogue CA, properly signed by that CA. */
    private byte[] replaceCa() throws Exception {
        Entry e = store.get(keys.network()).orElseThrow();
        ObjectNode rec = (ObjectNode) Json.mapper().readTree(e.value());
        rec.remove(RecordEnvelope.SIGNATURES);
        rec.remove(RecordEnvelope.MAC);
        CertificateAuthority rogue = provider.create(CaSpec.forNetwork("rogue", Ipv4Cidr.parse("10.42.0.0/16"),
                Duration.ofDays(30)));
        rec.put("caBundle", rogue.caCertificate().pemText());
        rec.put("caFingerprint", rogue.caCertificate().fingerprint());
        ((ObjectNode) rec.get("lighthouses").get(0)).put("signingEndpoint", ROGUE_SIGNING);
        RecordTrust rogueTrust = new RecordTrust(keys, provider).pin(List.of(rogue.caCertificate().fingerprint()));
        rogueTrust.signWith(rogue);
        byte[] signed = rogueTrust.seal(keys.network(), Json.write(rec), null);
        assertThat(store.compareAndSet(keys.network(), e.version(), signed)).isPresent();
        return signed;
    }

    private void assertUntouched(byte[] tampered, String... absentKeys) {
        assertThat(Arrays.equals(store.get(keys.network()).orElseThrow().value(), tampered))
                .as("the refused record is left as it is").isTrue();
        for (String k : absentKeys) {
            assertThat(store.get(k)).as(k).isEmpty();
        }
        assertThat(mesh.joinNetwork().requests()).as("no join request went anywhere").isEmpty();
    }

    @Test
    void aBundleWithAnAddedCaIsRefusedByAPinnedJoinerAMemberWithStateAndTheRestartedFounder() throws Exception {
        String ca = founded();
        MeshNode w = member("worker", List.of(ca));
        assertThat(w.join().state()).isEqualTo(NodeState.READY);
        w.close();
        mesh.node("lh").close();
        int requests = mesh.joinNetwork().requests().size();
        byte[] tampered = appendRogueCa();

        NodeStatus fresh = member("fresh", List.of(ca)).join();
        assertThat(fresh.state()).isEqualTo(NodeState.FAILED);
        assertThat(fresh.detail()).contains("mesh/test/network does not match the signature of CA " + ca)
                .contains("the store may have been tampered with");
        NodeStatus restarted = member("worker", List.of()).join();
        assertThat(restarted.state()).isEqualTo(NodeState.FAILED);
        assertThat(restarted.detail()).contains("does not match the signature of CA " + ca);
        NodeStatus founder = mesh.node("lh").join();
        assertThat(founder.state()).isEqualTo(NodeState.FAILED);
        assertThat(founder.detail()).contains("This node is the network's founder and stays so");
        assertThat(new LocalState(mesh.stateDirectory("lh")).identity().orElseThrow().role()).isEqualTo(Role.FOUNDER);
        mesh.overlay("lh").current().ifPresent(cfg -> assertThat(new String(cfg.caBundlePem(), StandardCharsets.US_ASCII)
                .split("-----BEGIN", -1)).as("the founder's overlay never runs with the rogue bundle").hasSize(2));
        assertThat(Arrays.equals(store.get(keys.network()).orElseThrow().value(), tampered)).isTrue();
        assertThat(store.get(keys.member("fresh"))).isEmpty();
        assertThat(mesh.joinNetwork().requests()).hasSize(requests);
    }

    @Test
    void aRecordSwappedToARogueCaNamesBothCas() throws Exception {
        String ca = founded();
        MeshNode w = member("worker", List.of(ca));
        assertThat(w.join().state()).isEqualTo(NodeState.READY);
        w.close();
        mesh.node("lh").close();
        int requests = mesh.joinNetwork().requests().size();
        byte[] tampered = replaceCa();
        String rogue = caFingerprint();
        String expected = "the store names CA " + rogue + ", this node trusts " + ca
                + ": the store may have been tampered with";

        NodeStatus fresh = member("fresh", List.of(ca)).join();
        assertThat(fresh.state()).isEqualTo(NodeState.FAILED);
        assertThat(fresh.detail()).startsWith(expected);
        NodeStatus restarted = member("worker", List.of()).join();
        assertThat(restarted.detail()).startsWith(expected);
        NodeStatus founder = mesh.node("lh").join();
        assertThat(founder.state()).isEqualTo(NodeState.FAILED);
        assertThat(founder.detail()).startsWith(expected).contains("founder and stays so");
        LocalState.Identity id = new LocalState(mesh.stateDirectory("lh")).identity().orElseThrow();
        assertThat(id.role()).as("not demoted").isEqualTo(Role.FOUNDER);
        assertThat(id.caFingerprint()).isEqualTo(ca);
        assertThat(Arrays.equals(store.get(keys.network()).orElseThrow().value(), tampered)).isTrue();
        assertThat(mesh.joinNetwork().requests()).hasSize(requests);
    }

    @Test
    void aSelfWrittenTokenRecordWithAdminGroupsAndAMillionUsesGrantsNothing() throws Exception {
        RecordTrust lhTrust = new RecordTrust(keys, provider);
        BootstrapStore view = TrustedStore.wrap(store.client("lh"), lhTrust);
        mesh.node("lh", b -> b.store(view).trust(lhTrust)
                .admission(CredentialAdmission.builder(view, "test").clock(clock).build())).join();
        String ca = caFingerprint();
        EnrollmentToken genuine = new EnrollmentTokens(view, keys, clock).create(List.of("workers"), Duration.ofHours(1), 1);
        assertThat(genuine.caFingerprint()).contains(ca);

        String text = "mjt2.00112233445566ff." + "A".repeat(43) + "." + ca;
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(text.getBytes(StandardCharsets.US_ASCII)));
        String forged = "{\"schema\":1,\"id\":\"00112233445566ff\",\"hash\":\"" + hash + "\",\"groups\":[\"admins\",\"db\"],"
                + "\"createdAt\":\"" + clock.instant() + "\",\"expiresAt\":\"" + clock.instant().plusSeconds(86400)
                + "\",\"maxUses\":1000000,\"uses\":0}";
        String key = "mesh/test/tokens/00112233445566ff";
        assertThat(store.putIfAbsent(key, forged.getBytes(StandardCharsets.UTF_8))).isPresent();

        NodeStatus attacker = mesh.node("attacker", b -> b.publicEndpoint(null).groups(List.of("admins", "db"))
                .credentials(new EnrollmentTokenCredentials(EnrollmentToken.of(text)))).join();
        assertThat(attacker.state()).isEqualTo(NodeState.FAILED);
        assertThat(attacker.detail()).contains("is not signed by the network's CA, so it grants nothing");
        assertThat(store.get(key).orElseThrow().text()).as("uses not raised").isEqualTo(forged);
        assertThat(store.get(keys.member("attacker"))).isEmpty();
        assertThat(store.list("mesh/test/ip-node/")).hasSize(1);

        NodeStatus honest = mesh.node("honest", b -> b.publicEndpoint(null).groups(List.of("workers"))
                .credentials(new EnrollmentTokenCredentials(genuine))).join();
        assertThat(honest.state()).as(honest.detail()).isEqualTo(NodeState.READY);
    }

    @Test
    void aRecordWrittenWithoutTheNetworkSecretIsRefusedByASecretHolderWithoutAPin() throws Exception {
        NetworkSecretCredentials secret = new NetworkSecretCredentials("harness-network-secret".toCharArray());
        NodeStatus lh = mesh.node("lh", b -> b.recordMacKeys(secret)).join();
        assertThat(lh.state()).isEqualTo(NodeState.READY);
        assertThat(Json.mapper().readTree(store.get(keys.network()).orElseThrow().value()).has("mac")).isTrue();
        // A secret holder without a pin trusts a record the secret's MAC vouches for ...
        MeshNode ok = mesh.node("ok", b -> b.publicEndpoint(null).caKeyCodec(null).recordMacKeys(secret));
        assertThat(ok.join().state()).isEqualTo(NodeState.READY);
        mesh.node("lh").close();
        // ... and not one written by someone without the secret, even one its own CA signed.
        byte[] tampered = replaceCa();
        NodeStatus fresh = mesh.node("fresh", b -> b.publicEndpoint(null).caKeyCodec(null).recordMacKeys(secret)).join();
        assertThat(fresh.state()).isEqualTo(NodeState.FAILED);
        assertThat(fresh.detail()).contains("cannot authenticate the network record mesh/test/network")
                .contains("no MAC of the network secret");
        assertThat(Arrays.equals(store.get(keys.network()).orElseThrow().value(), tampered)).isTrue();
        assertThat(store.get(keys.member("fresh"))).isEmpty();
    }

    @Test
    void aMemberRecordWidenedToAdminsIsNotRenewedWithThoseGroups() throws Exception {
        MeshNode lh = mesh.node("lh", b -> b.certificateValidity(Duration.ofHours(3)));
        assertThat(lh.join().state()).isEqualTo(NodeState.READY);
        MeshNode w = mesh.node("worker", b -> b.publicEndpoint(null).caKeyCodec(null).caFingerprint(List.of(caFingerprint()))
                .certificateValidity(Duration.ofHours(3)).groups(List.of("workers")));
        assertThat(w.join().state()).isEqualTo(NodeState.READY);
        var first = w.certificate().orElseThrow();
        Entry e = store.get(keys.member("worker")).orElseThrow();
        ObjectNode rec = (ObjectNode) Json.mapper().readTree(e.value());
        rec.putArray("groups").add("workers").add("admins");
        assertThat(store.compareAndSet(keys.member("worker"), e.version(), Json.write(rec))).isPresent();

        clock.advance(Duration.ofMinutes(121));
        lh.follower().orElseThrow().tick();
        // The lighthouse refuses the renewal; the follower then joins again while it stays READY.
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> w.follower().orElseThrow().tick());
        assertThat(t).as("a ready node joining again does not break the state machine")
                .isNotInstanceOf(IllegalStateException.class);
        assertThat(w.status().state()).isEqualTo(NodeState.READY);
        assertThat(w.follower().orElseThrow().certificate().groups()).as("no certificate from the tampered record")
                .containsExactly("workers");
        assertThat(first.groups()).containsExactly("workers");
    }

    @Test
    void anEmptiedRevocationListWrittenWithoutTheCaKeyDoesNotLetARevokedNodeBackIn() throws Exception {
        MeshNode lh = mesh.node("lh");
        assertThat(lh.join().state()).isEqualTo(NodeState.READY);
        MeshNode victim = mesh.node("victim", b -> b.publicEndpoint(null));
        assertThat(victim.join().state()).isEqualTo(NodeState.READY);
        String revokedCert = victim.certificate().orElseThrow().fingerprint();
        dev.meshjoin.core.lifecycle.Revoker.builder(store, "test").certificateAuthorities(provider)
                .caKeyCodec(salt -> codec).clock(clock).build().revoke("victim");
        lh.follower().orElseThrow().tick();
        assertThat(mesh.overlay("lh").current().orElseThrow().blocklist()).contains(revokedCert);
        victim.close();
        Entry e = store.get(keys.revocations()).orElseThrow();
        byte[] emptied = "{\"schema\":1,\"network\":\"test\",\"revoked\":[]}".getBytes(StandardCharsets.UTF_8);
        assertThat(store.compareAndSet(keys.revocations(), e.version(), emptied)).isPresent();

        lh.follower().orElseThrow().tick();
        lh.follower().orElseThrow().tick();
        // A fresh state directory, the same name: without the forged list it would be refused as revoked anyway;
        // with it, it must not be admitted either.
        java.nio.file.Path dir = mesh.stateDirectory("victim");
        try (var walk = java.nio.file.Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        NodeStatus again = mesh.node("victim", b -> b.publicEndpoint(null)).join();
        assertThat(again.state()).isEqualTo(NodeState.FAILED);
        assertThat(again.detail()).contains("cannot read a revocation list signed by the network's CA");
        assertThat(Arrays.equals(store.get(keys.revocations()).orElseThrow().value(), emptied)).isTrue();
        assertThat(mesh.overlay("lh").current().orElseThrow().blocklist()).as("the lighthouse still blocks it")
                .contains(revokedCert);
    }
}
