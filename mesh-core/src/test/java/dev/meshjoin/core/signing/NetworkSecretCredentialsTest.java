package dev.meshjoin.core.signing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshjoin.api.join.JoinNetwork;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The verifier kept in the state directory: read by the next process, replaced when stale, never the secret. */
class NetworkSecretCredentialsTest {
    private static final char[] SECRET = "a-network-secret-for-tests".toCharArray();
    private static final byte[] KEY = new byte[32];
    private static final byte[] NONCE = new byte[16];

    @TempDir
    Path dir;

    private static JoinNetwork network(byte salt) {
        byte[] s = new byte[16];
        java.util.Arrays.fill(s, salt);
        return new JoinNetwork("prod", dev.meshjoin.api.net.Ipv4Cidr.parse("10.42.0.0/16"), new byte[0], java.util.Set.of(), s);
    }

    private static byte[] proof(NetworkSecretCredentials c, JoinNetwork n) {
        return c.proofFor(n, "w", KEY, NONCE);
    }

    @Test
    void theNextProcessUsesTheKeptVerifierAndItsFileIsOwnerOnlyWithoutTheSecret() throws Exception {
        JoinNetwork n = network((byte) 1);
        byte[] expected = proof(new NetworkSecretCredentials(SECRET), n);
        NetworkSecretCredentials first = new NetworkSecretCredentials(SECRET, dir);
        assertThat(proof(first, n)).isEqualTo(expected);
        Path file = dir.resolve(NetworkSecretCredentials.FILE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        assertThat(text).doesNotContain(new String(SECRET))
                .doesNotContain(Base64.getEncoder().encodeToString(new String(SECRET).getBytes(StandardCharsets.UTF_8)));
        assertThat(first.refused(n)).as("derived here, nothing kept to drop").isFalse();

        NetworkSecretCredentials next = new NetworkSecretCredentials(SECRET, dir);
        assertThat(proof(next, n)).isEqualTo(expected);
        assertThat(next.refused(n)).as("this one came from the file").isTrue();
        assertThat(file).doesNotExist();
    }

    @Test
    void aPreparedVerifierGivesTheSameProofAndIsKept() throws Exception {
        JoinNetwork n = network((byte) 5);
        byte[] expected = proof(new NetworkSecretCredentials(SECRET), n);
        NetworkSecretCredentials c = new NetworkSecretCredentials(SECRET, dir);
        c.deriveAhead(n);
        c.deriveAhead(n);
        assertThat(proof(c, n)).isEqualTo(expected);
        assertThat(proof(new NetworkSecretCredentials(SECRET, dir), n)).isEqualTo(expected);
        NetworkSecretCredentials fromFile = new NetworkSecretCredentials(SECRET, dir);
        fromFile.deriveAhead(n);
        assertThat(fromFile.refused(n)).as("prepared from the kept file, no derivation").isTrue();
    }

    @Test
    void aChangedSecretIsRefusedOnceThenDerivedAfreshAndKept() throws Exception {
        JoinNetwork n = network((byte) 2);
        proof(new NetworkSecretCredentials(SECRET, dir), n);
        char[] rotated = "the-rotated-network-secret".toCharArray();
        NetworkSecretCredentials c = new NetworkSecretCredentials(rotated, dir);
        byte[] stale = proof(c, n);
        byte[] right = proof(new NetworkSecretCredentials(rotated), n);
        assertThat(stale).as("no cheap check ties the file to the secret").isNotEqualTo(right);
        assertThat(c.refused(n)).isTrue();
        assertThat(proof(c, n)).isEqualTo(right);
        assertThat(c.refused(n)).as("a second refusal is the credential's own fault").isFalse();
        assertThat(proof(new NetworkSecretCredentials(rotated, dir), n)).as("the new verifier is kept").isEqualTo(right);
    }

    @Test
    void aRecordMacFromAStaleKeptVerifierIsMadeAgainAfterDropKept() throws Exception {
        JoinNetwork n = network((byte) 6);
        proof(new NetworkSecretCredentials(SECRET, dir), n);
        char[] rotated = "the-rotated-network-secret".toCharArray();
        byte[] right = new NetworkSecretCredentials(rotated).recordMacKey(n.salt()).orElseThrow();
        NetworkSecretCredentials c = new NetworkSecretCredentials(rotated, dir);
        assertThat(c.recordMacKey(n.salt()).orElseThrow()).as("made from the kept, stale verifier").isNotEqualTo(right);
        assertThat(c.dropKept(n.salt())).isTrue();
        assertThat(c.recordMacKey(n.salt()).orElseThrow()).isEqualTo(right);
        assertThat(c.dropKept(n.salt())).as("derived now: nothing kept to drop").isFalse();
    }

    @Test
    void anotherNetworksOrADamagedFileIsReplacedByTheDerivedVerifier() throws Exception {
        JoinNetwork a = network((byte) 3);
        JoinNetwork b = network((byte) 4);
        proof(new NetworkSecretCredentials(SECRET, dir), a);
        byte[] forB = proof(new NetworkSecretCredentials(SECRET), b);
        NetworkSecretCredentials c = new NetworkSecretCredentials(SECRET, dir);
        assertThat(proof(c, b)).isEqualTo(forB);
        assertThat(c.refused(b)).as("derived, since the file held another salt's").isFalse();

        Files.writeString(dir.resolve(NetworkSecretCredentials.FILE), "meshjoin-verifier-v1 garbage");
        NetworkSecretCredentials d = new NetworkSecretCredentials(SECRET, dir);
        assertThat(proof(d, b)).isEqualTo(forB);
        assertThat(Files.readString(dir.resolve(NetworkSecretCredentials.FILE))).startsWith("meshjoin-verifier-v1 ")
                .doesNotContain("garbage");
    }
}
