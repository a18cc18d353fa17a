package dev.meshjoin.core.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.join.JoinNetwork;
import dev.meshjoin.api.net.Ipv4Cidr;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

/**
 * Network keys ({@code meshctl secret generate}): recognised from the secret alone, derived with
 * HKDF rather than PBKDF2, and a malformed or hand-made one refused with a message that says what
 * to do — never silently taken for a passphrase.
 */
class NetworkKeyProperties {
    private static final byte[] NONCE = new byte[16];

    private static JoinNetwork network(byte[] salt) {
        return new JoinNetwork("prod", Ipv4Cidr.parse("10.42.0.0/16"), new byte[0], Set.of(), salt);
    }

    @Property(tries = 50)
    void aGeneratedKeyIsAKeyAndBothSidesDeriveTheSameVerifierWithoutPbkdf2(@ForAll @Size(16) byte[] salt) {
        char[] key = NetworkSecretCredentials.generateKey();
        assertThat(key).hasSize(48);
        assertThat(new String(key)).startsWith("mjs1.").matches("mjs1\\.[A-Za-z0-9_-]{43}");
        NetworkSecretCredentials joiner = new NetworkSecretCredentials(key);
        assertThat(joiner.isNetworkKey()).isTrue();
        assertThat(joiner.toString()).doesNotContain(new String(key, 5, 43));

        byte[] verifier = NetworkSecret.verifier(key, salt);
        byte[] raw = Base64.getUrlDecoder().decode(new String(key, 5, 43));
        assertThat(verifier).as("HKDF of the key's 32 bytes under the salt")
                .isEqualTo(SigningCrypto.hkdf(raw, salt, SigningCrypto.utf8("meshjoin/network-key-verifier/v1"), 32));
        byte[] publicKey = new byte[32];
        assertThat(joiner.proofFor(network(salt), "w", publicKey, NONCE))
                .as("the joiner's proof is the one a lighthouse holding the verifier expects")
                .isEqualTo(Credential.secretProof(NetworkSecret.proof(verifier, "prod", "w", publicKey, NONCE)));
    }

    @Example
    void generatedKeysDifferAndASaltGivesEachItsOwnVerifier() {
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            keys.add(new String(NetworkSecretCredentials.generateKey()));
        }
        assertThat(keys).hasSize(1000);
        char[] key = NetworkSecretCredentials.generateKey();
        byte[] a = new byte[16];
        byte[] b = new byte[16];
        b[0] = 1;
        assertThat(NetworkSecret.verifier(key, a)).isNotEqualTo(NetworkSecret.verifier(key, b));
    }

    @Property(tries = 200)
    void aSecretWithoutThePrefixIsAPassphrase(@ForAll @StringLength(min = 16, max = 80) String secret) {
        String s = secret.startsWith("mjs1.") ? "x" + secret : secret;
        assertThat(NetworkSecret.isNetworkKey(s.toCharArray())).isFalse();
        assertThat(new NetworkSecretCredentials(s.toCharArray()).isNetworkKey()).isFalse();
    }

    @Provide
    Arbitrary<String> brokenKeys() {
        String good = new String(NetworkSecretCredentials.generateKey());
        Arbitrary<String> truncated = Arbitraries.integers().between(16, 47).map(n -> good.substring(0, n));
        Arbitrary<String> extended = Arbitraries.strings().ofMinLength(1).ofMaxLength(8).map(t -> good + t);
        Arbitrary<String> badChar = Arbitraries.integers().between(5, 47).flatMap(i -> Arbitraries.of('+', '/', '=', ' ',
                '!', 'é', '\n').map(c -> good.substring(0, i) + c + good.substring(i + 1)));
        return Arbitraries.oneOf(truncated, extended, badChar);
    }

    @Property(tries = 300)
    void aBrokenKeyIsRefusedSayingHowToCopyIt(@ForAll("brokenKeys") String broken) {
        assertThatThrownBy(() -> new NetworkSecretCredentials(broken.toCharArray()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("not a whole network key").hasMessageContaining("meshctl secret generate")
                .hasMessageNotContaining(broken.substring(5));
    }

    @Example
    void aHandMadeKeyIsRefusedNotTakenForARandomOne() {
        char[] zeros = ("mjs1." + Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[32])).toCharArray();
        byte[] counting = new byte[32];
        for (int i = 0; i < 32; i++) {
            counting[i] = (byte) (i % 15);
        }
        char[] fifteen = ("mjs1." + Base64.getUrlEncoder().withoutPadding().encodeToString(counting)).toCharArray();
        for (char[] k : new char[][] {zeros, fifteen}) {
            assertThatThrownBy(() -> new NetworkSecretCredentials(k)).isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("not random").hasMessageContaining("meshctl secret generate");
            assertThatThrownBy(() -> CredentialAdmission.builder(
                    dev.meshjoin.testkit.store.InMemoryBootstrapStore.linearizable(), "prod")
                    .networkSecret(k, java.util.List.of())).isInstanceOf(ConfigurationException.class);
        }
    }

    @Example
    void aKeysVerifierIsNeverWrittenToTheStateDirectory() throws Exception {
        Path dir = Files.createTempDirectory("network-key");
        try {
            char[] key = NetworkSecretCredentials.generateKey();
            byte[] salt = new byte[16];
            NetworkSecretCredentials c = new NetworkSecretCredentials(key, dir);
            c.deriveAhead(network(salt));
            assertThat(c.proofFor(network(salt), "w", new byte[32], NONCE)).hasSize(33);
            assertThat(c.recordMacKey(salt)).isPresent();
            assertThat(dir.resolve(NetworkSecretCredentials.FILE)).doesNotExist();
            assertThat(c.refused(network(salt))).as("nothing kept, nothing to drop").isFalse();
        } finally {
            try (var files = Files.list(dir)) {
                files.forEach(f -> f.toFile().delete());
            }
            Files.delete(dir);
        }
    }

    @Example
    void thePassphraseOfTheSameTextWithoutThePrefixGivesAnotherVerifier() {
        char[] key = NetworkSecretCredentials.generateKey();
        char[] passphrase = Arrays.copyOfRange(key, 5, key.length);
        byte[] salt = new byte[16];
        assertThat(NetworkSecret.verifier(key, salt)).isNotEqualTo(NetworkSecret.verifier(passphrase, salt));
    }
}
