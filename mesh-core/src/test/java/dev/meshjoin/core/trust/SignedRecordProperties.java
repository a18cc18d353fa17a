package dev.meshjoin.core.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshjoin.api.ca.CaSpec;
import dev.meshjoin.api.ca.CertificateAuthority;
import dev.meshjoin.api.net.Ipv4Cidr;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.record.NetworkRecord;
import dev.meshjoin.core.record.StoreKeys;
import dev.meshjoin.nebula.cert.NebulaCertificateAuthorityProvider;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Signed records with real Nebula CAs: the canonical form ignores field order, any change to what
 * was signed is refused naming the key and the CA, and malformed envelopes are refused as damaged
 * records, never accepted.
 */
class SignedRecordProperties {
    private static final NebulaCertificateAuthorityProvider PROVIDER = new NebulaCertificateAuthorityProvider();
    private static final CertificateAuthority CA = PROVIDER.create(CaSpec.forNetwork("prod mesh CA",
            Ipv4Cidr.parse("10.42.0.0/16"), Duration.ofDays(30)));
    private static final CertificateAuthority ROGUE = PROVIDER.create(CaSpec.forNetwork("rogue",
            Ipv4Cidr.parse("10.42.0.0/16"), Duration.ofDays(30)));
    private static final StoreKeys KEYS = StoreKeys.of("prod");
    private static final byte[] MAC_KEY = new byte[32];

    private static byte[] network(CertificateAuthority ca, String signing) {
        return Json.write(new NetworkRecord(1, "prod", "10.42.0.0/16", PROVIDER.type(), ca.caCertificate().pemText(),
                ca.caCertificate().fingerprint(), List.of(new NetworkRecord.LighthouseEntry("lh", "10.42.0.1",
                List.of("203.0.113.7:4242"), signing)), "lh", Instant.parse("2026-12-01T00:00:00Z"),
                "AAAAAAAAAAAAAAAAAAAAAA=="));
    }

    private static RecordTrust signer(CertificateAuthority ca) {
        RecordTrust t = new RecordTrust(KEYS, PROVIDER).pin(List.of(ca.caCertificate().fingerprint()))
                .macKeys(salt -> Optional.of(MAC_KEY));
        t.signWith(ca);
        return t;
    }

    private static RecordTrust reader() {
        return new RecordTrust(KEYS, PROVIDER).pin(List.of(CA.caCertificate().fingerprint()));
    }

    @Provide
    Arbitrary<String> endpoints() {
        return Arbitraries.integers().between(1, 65535).map(p -> "198.51.100." + (p % 250) + ":" + p);
    }

    @Property(tries = 30)
    void aSignedRecordOpensToExactlyWhatWasWrittenWhateverTheFieldOrder(@ForAll("endpoints") String signing)
            throws Exception {
        byte[] plain = network(CA, signing);
        byte[] sealed = signer(CA).seal(KEYS.network(), plain, null);
        ObjectNode shuffled = shuffle((ObjectNode) Json.mapper().readTree(sealed));
        byte[] opened = reader().openNetwork(KEYS.network(), Json.write(shuffled));
        assertThat(Json.mapper().readTree(opened)).isEqualTo(Json.mapper().readTree(plain));
    }

    @Property(tries = 60)
    void anyChangedCharacterOfTheSignedRecordIsRefused(@ForAll @IntRange(min = 0, max = 5000) int where,
                                                      @ForAll("endpoints") String signing) throws Exception {
        byte[] sealed = signer(CA).seal(KEYS.network(), network(CA, signing), null);
        ObjectNode tree = (ObjectNode) Json.mapper().readTree(sealed);
        JsonNode sigs = tree.remove(RecordEnvelope.SIGNATURES);
        tree.remove(RecordEnvelope.MAC);
        String text = new String(Json.write(tree), StandardCharsets.UTF_8);
        // Change one character inside a string value (the JSON stays valid and the record parses).
        List<Integer> inside = new ArrayList<>();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (quoted && Character.isLetterOrDigit(c) && text.charAt(i - 1) != '\\') {
                inside.add(i);
            }
        }
        int at = inside.get(where % inside.size());
        char c = text.charAt(at);
        String changed = text.substring(0, at) + (c == 'a' ? 'b' : 'a') + text.substring(at + 1);
        ObjectNode tampered;
        try {
            tampered = (ObjectNode) Json.mapper().readTree(changed);
        } catch (Exception e) {
            return;
        }
        tampered.set(RecordEnvelope.SIGNATURES, sigs);
        assertThatThrownBy(() -> reader().openNetwork(KEYS.network(), Json.write(tampered)))
                .isInstanceOf(dev.meshjoin.api.MeshException.class)
                .hasMessageContaining(KEYS.network());
    }

    @Property(tries = 20)
    void aRecordSignedForOneKeyIsRefusedAtAnother(@ForAll("endpoints") String signing) {
        RecordTrust t = signer(CA);
        t.openNetwork(KEYS.network(), t.seal(KEYS.network(), network(CA, signing), null));
        byte[] revocations = Json.write(Map.of("schema", 1, "network", "prod", "revoked", List.of()));
        byte[] sealed = t.seal(KEYS.revocations(), revocations, t.network().orElseThrow());
        RecordTrust r = reader();
        r.openNetwork(KEYS.network(), t.seal(KEYS.network(), network(CA, signing), null));
        assertThat(r.open(KEYS.revocations(), sealed, r.network().orElseThrow())).isNotEmpty();
        String other = KEYS.root() + "tokens/0011223344556677";
        assertThatThrownBy(() -> r.open(other, sealed, r.network().orElseThrow()))
                .isInstanceOf(TamperedStoreException.class).hasMessageContaining(other);
    }

    @Property(tries = 20)
    void aWrongMacIsRefusedByASecretHolderAndIgnoredByATokenHolder(@ForAll("endpoints") String signing) {
        byte[] sealed = signer(CA).seal(KEYS.network(), network(CA, signing), null);
        RecordTrust otherSecret = reader().macKeys(salt -> Optional.of(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
                12, 13, 14, 15, 16}));
        assertThatThrownBy(() -> otherSecret.openNetwork(KEYS.network(), sealed))
                .isInstanceOf(TamperedStoreException.class).hasMessageContaining("MAC the network secret did not make");
        assertThat(reader().openNetwork(KEYS.network(), sealed)).isNotEmpty();
    }

    @Property(tries = 100)
    void peekingAFieldNeverThrowsAndFindsOnlyATopLevelTextField(@ForAll("jsonish") String envelope) {
        byte[] bytes = envelope.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.util.Optional<String> peeked = RecordEnvelope.peekText(bytes, "secretSalt");
        try {
            com.fasterxml.jackson.databind.JsonNode tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(bytes);
            com.fasterxml.jackson.databind.JsonNode field = tree != null && tree.isObject() ? tree.get("secretSalt") : null;
            if (peeked.isPresent()) {
                assertThat(field).isNotNull();
                assertThat(field.asText()).isEqualTo(peeked.get());
            }
        } catch (java.io.IOException notJson) {
            // what the streaming parser read before the damage may hold the field: nothing to compare
        }
    }

    @Property(tries = 1)
    void peekingFindsTheNetworksSaltAndIgnoresNestedFieldsOfTheSameName() {
        byte[] sealed = signer(CA).seal(KEYS.network(), network(CA, "203.0.113.7:8444"), null);
        RecordTrust r = reader();
        r.openNetwork(KEYS.network(), sealed);
        String salt = java.util.Base64.getEncoder().encodeToString(r.network().orElseThrow().salt());
        assertThat(RecordEnvelope.peekText(sealed, "secretSalt")).contains(salt);
        byte[] nested = "{\"a\":{\"secretSalt\":\"nested\"},\"b\":[{\"secretSalt\":\"x\"}],\"secretSalt\":\"top\"}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(RecordEnvelope.peekText(nested, "secretSalt")).contains("top");
        assertThat(RecordEnvelope.peekText("{\"secretSalt\":7}".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                "secretSalt")).isEmpty();
        assertThat(RecordEnvelope.peekText("[1,2]".getBytes(java.nio.charset.StandardCharsets.UTF_8), "secretSalt")).isEmpty();
    }

    @Property(tries = 10)
    void theMacKeyIsPreparedWithTheRecordsSaltBeforeTheSignatureIsChecked(@ForAll("endpoints") String signing) {
        byte[] sealed = signer(CA).seal(KEYS.network(), network(CA, signing), null);
        java.util.List<String> calls = new java.util.concurrent.CopyOnWriteArrayList<>();
        RecordTrust r = reader().macKeys(new MacKeySource() {
            @Override
            public Optional<byte[]> recordMacKey(byte[] networkSalt) {
                calls.add("key " + java.util.HexFormat.of().formatHex(networkSalt));
                return Optional.of(MAC_KEY);
            }

            @Override
            public void prepare(byte[] networkSalt) {
                calls.add("prepare " + java.util.HexFormat.of().formatHex(networkSalt));
            }
        });
        r.openNetwork(KEYS.network(), sealed);
        String salt = java.util.HexFormat.of().formatHex(r.network().orElseThrow().salt());
        assertThat(calls).containsExactly("prepare " + salt, "key " + salt);
        // Known once, the key is not prepared again.
        r.openNetwork(KEYS.network(), sealed);
        assertThat(calls).containsExactly("prepare " + salt, "key " + salt);
    }

    @Property(tries = 20)
    void aRogueCaSignatureNamesBothCas(@ForAll("endpoints") String signing) {
        byte[] sealed = signer(ROGUE).seal(KEYS.network(), network(ROGUE, signing), null);
        assertThatThrownBy(() -> reader().openNetwork(KEYS.network(), sealed))
                .isInstanceOf(TamperedStoreException.class)
                .hasMessageStartingWith("the store names CA " + ROGUE.caCertificate().fingerprint() + ", this node trusts "
                        + CA.caCertificate().fingerprint() + ": the store may have been tampered with");
    }

    @Property(tries = 40)
    void malformedEnvelopesAreRefusedAsDamagedRecords(@ForAll("envelopes") String envelope) {
        byte[] stored = ("{\"schema\":1,\"network\":\"prod\",\"revoked\":[]," + envelope + "}")
                .getBytes(StandardCharsets.UTF_8);
        RecordTrust r = reader();
        RecordTrust t = signer(CA);
        r.openNetwork(KEYS.network(), t.seal(KEYS.network(), network(CA, "203.0.113.7:8444"), null));
        assertThatThrownBy(() -> r.open(KEYS.revocations(), stored, r.network().orElseThrow()))
                .isInstanceOf(dev.meshjoin.api.MeshException.class).hasMessageContaining(KEYS.revocations());
    }

    /** Well-formed objects with the field at some depth, and soup of JSON's characters. */
    @Provide
    Arbitrary<String> jsonish() {
        Arbitrary<String> text = Arbitraries.strings().withChars("abcAB+/=0189").ofMaxLength(12);
        Arbitrary<String> objects = Combinators.combine(text, text, Arbitraries.integers().between(0, 3))
                .as((a, b, depth) -> {
                    String inner = "{\"secretSalt\":\"" + a + "\",\"x\":\"" + b + "\"}";
                    for (int i = 0; i < depth; i++) {
                        inner = i % 2 == 0 ? "{\"k\":" + inner + "}" : "[" + inner + "]";
                    }
                    return inner;
                });
        Arbitrary<String> soup = Arbitraries.strings().withChars("{}[]\":,\\ secrtSal0x").ofMaxLength(60);
        return Arbitraries.oneOf(objects, soup);
    }

    @Provide
    Arbitrary<String> envelopes() {
        return Arbitraries.of("\"signatures\":{}", "\"signatures\":[1]", "\"signatures\":[{\"by\":1,\"sig\":\"x\"}]",
                "\"signatures\":[{\"by\":\"ab\"}]", "\"signatures\":[{\"by\":\"ab\",\"sig\":\"!!\",\"x\":1}]",
                "\"mac\":17", "\"mac\":\"%%%\"", "\"signatures\":[]",
                "\"signatures\":[{\"by\":\"" + CA.caCertificate().fingerprint() + "\",\"sig\":\"AAAA\"}]",
                "\"signatures\":[{\"by\":\"" + CA.caCertificate().fingerprint() + "\",\"sig\":\"not base64!\"}]");
    }

    private static ObjectNode shuffle(ObjectNode in) {
        List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = in.fields(); it.hasNext(); ) {
            fields.add(it.next());
        }
        Collections.reverse(fields);
        ObjectNode out = Json.mapper().createObjectNode();
        fields.forEach(e -> out.set(e.getKey(), e.getValue().isObject() ? shuffle((ObjectNode) e.getValue()) : e.getValue()));
        return out;
    }
}
