package dev.meshjoin.core.signing;

import dev.meshjoin.api.RefusalReason;
import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.JoinRefusedException;
import dev.meshjoin.api.secret.SecretCodec;
import dev.meshjoin.api.secret.SecretCodecException;
import dev.meshjoin.api.store.BootstrapStore;
import dev.meshjoin.api.store.Entry;
import dev.meshjoin.api.join.SecretCodecFactory;
import dev.meshjoin.api.join.Admission;
import dev.meshjoin.api.join.JoinNetwork;
import dev.meshjoin.api.join.JoinRequest;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.record.NetworkRecord;
import dev.meshjoin.core.record.StoreKeys;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lighthouse's check of a join credential: a network-secret proof (checked against the
 * secret's verifier) or an enrollment token (checked against its stored hash, one use consumed by
 * compare-and-set). Replays, rate limits and the audit log are the signing service's part.
 *
 * <p>The verifier comes from the network secret when this lighthouse is configured with it (and
 * is then published to the store sealed under the CA passphrase's codec, so a second lighthouse
 * needs only the passphrase), else from that sealed copy.
 *
 * <pre>{@code
 * Admission admission = CredentialAdmission.builder(store, "prod")
 *         .networkSecret(secret, List.of("workers"))   // groups the network secret grants
 *         .verifierCodec(caKeyCodec)                    // the CA passphrase's codec factory
 *         .build();
 * }</pre>
 */
public final class CredentialAdmission implements Admission {
    private static final Logger LOG = LoggerFactory.getLogger(CredentialAdmission.class);

    private final BootstrapStore store;
    private final StoreKeys keys;
    private final char[] secret;
    private final List<String> secretGroups;
    private final SecretCodecFactory verifierCodec;
    private final boolean tokens;
    private final EnrollmentTokens tokenStore;
    private volatile byte[] verifier;

    private CredentialAdmission(Builder b) {
        this.store = b.store;
        this.keys = b.keys;
        this.secret = b.secret;
        this.secretGroups = b.secretGroups;
        this.verifierCodec = b.verifierCodec;
        this.tokens = b.tokens;
        this.tokenStore = new EnrollmentTokens(b.store, b.keys, b.clock);
    }

    public static Builder builder(BootstrapStore store, String network) {
        return new Builder(store, StoreKeys.of(network));
    }

    /** The key of the sealed network-secret verifier. */
    public static String verifierKey(StoreKeys keys) {
        return keys.root() + "auth/network-secret";
    }

    @Override
    public List<String> admit(JoinRequest request, String source) {
        byte[] credential = request.credential();
        if (credential.length == 33 && credential[0] == Credential.SECRET_PROOF) {
            Optional<byte[]> v = verifier();
            if (v.isEmpty()) {
                throw new JoinRefusedException(RefusalReason.BAD_CREDENTIAL, "this lighthouse does not admit joins with the network "
                        + "secret; use an enrollment token");
            }
            byte[] expected = NetworkSecret.proof(v.get(), request.network(), request.node(), request.publicKey(),
                    request.nonce());
            if (!MessageDigest.isEqual(expected, Credential.body(credential))) {
                throw new JoinRefusedException(RefusalReason.BAD_CREDENTIAL, "the network secret proof is wrong; check the "
                        + "network secret this node was given");
            }
            return secretGroups;
        }
        if (tokens && credential.length > 1 && credential[0] == Credential.TOKEN) {
            String text = new String(Credential.body(credential), StandardCharsets.US_ASCII);
            return tokenStore.consume(text, request.groups()).groups();
        }
        throw new JoinRefusedException(RefusalReason.BAD_CREDENTIAL, "the request carries no usable credential; give the node "
                + "the network secret or an enrollment token");
    }

    /** The verifier, resolved once: derived from the secret (and published sealed), or opened from the store. */
    Optional<byte[]> verifier() {
        byte[] v = verifier;
        if (v != null) {
            return Optional.of(v);
        }
        synchronized (this) {
            if (verifier != null) {
                return Optional.of(verifier);
            }
            Optional<Entry> recEntry = store.get(keys.network());
            if (recEntry.isEmpty()) {
                return Optional.empty();
            }
            NetworkRecord rec = Json.read(recEntry.get().value(), NetworkRecord.class, keys.network());
            byte[] salt = Base64.getDecoder().decode(rec.secretSalt());
            String key = verifierKey(keys);
            byte[] aad = key.getBytes(StandardCharsets.UTF_8);
            Optional<Entry> sealed = store.get(key);
            if (secret != null) {
                byte[] derived = NetworkSecret.verifier(secret, salt);
                if (verifierCodec != null) {
                    SecretCodec codec = verifierCodec.forNetwork(salt);
                    if (sealed.isEmpty()) {
                        store.putIfAbsent(key, codec.seal(derived, aad));
                    } else {
                        checkSame(codec, sealed.get(), aad, derived);
                    }
                }
                verifier = derived;
            } else if (sealed.isPresent() && verifierCodec != null) {
                try {
                    verifier = verifierCodec.forNetwork(salt).open(sealed.get().value(), aad);
                } catch (SecretCodecException e) {
                    throw new ConfigurationException("cannot open the network secret's verifier at " + key
                            + ": this lighthouse's CA passphrase is not the network's", e);
                }
            }
            return Optional.ofNullable(verifier);
        }
    }

    private static void checkSame(SecretCodec codec, Entry sealed, byte[] aad, byte[] derived) {
        byte[] stored;
        try {
            stored = codec.open(sealed.value(), aad);
        } catch (SecretCodecException e) {
            throw new ConfigurationException("cannot open the network secret's verifier at " + sealed.key()
                    + " with this node's CA passphrase; give it the CA passphrase the network was founded with", e);
        }
        boolean same = MessageDigest.isEqual(stored, derived);
        Arrays.fill(stored, (byte) 0);
        if (!same) {
            throw new ConfigurationException("this node's network secret differs from the network's: it does not"
                    + " match the verifier sealed at " + sealed.key() + ", so every joiner would be refused."
                    + " Start it with the network secret the network was founded with (MESH_SECRET)");
        }
    }

    /** Publishes the verifier (a founder) or checks this node's secret against the stored one (a restart). */
    @Override
    public void prepare(JoinNetwork network) {
        verifier();
    }

    @Override
    public String toString() {
        return "CredentialAdmission[" + keys.networkName() + ", secret " + (secret == null ? "absent" : "redacted")
                + ", tokens " + (tokens ? "on" : "off") + "]";
    }

    /** Configures a {@link CredentialAdmission}. */
    public static final class Builder {
        private final BootstrapStore store;
        private final StoreKeys keys;
        private char[] secret;
        private List<String> secretGroups = List.of();
        private SecretCodecFactory verifierCodec;
        private boolean tokens = true;
        private Clock clock = Clock.systemUTC();

        private Builder(BootstrapStore store, StoreKeys keys) {
            this.store = store;
            this.keys = keys;
        }

        /** Admits proofs made with this secret (16 characters or more), granting at most these groups. */
        public Builder networkSecret(char[] v, List<String> groups) {
            this.secret = NetworkSecret.check(v);
            for (String g : groups) {
                StoreKeys.checkName("group", g);
                if (EnrollmentTokens.RESERVED_GROUPS.contains(g)) {
                    throw new ConfigurationException("group '" + g + "' is given to lighthouses only");
                }
            }
            this.secretGroups = List.copyOf(groups);
            return this;
        }

        /** Groups the network secret grants, for a lighthouse that opens the sealed verifier. */
        public Builder secretGroups(List<String> groups) {
            this.secretGroups = List.copyOf(groups);
            return this;
        }

        /** The CA passphrase's codec: publishes the verifier sealed, or opens the published one. */
        public Builder verifierCodec(SecretCodecFactory v) { this.verifierCodec = v; return this; }
        /** Whether enrollment tokens are accepted; default true. */
        public Builder tokens(boolean v) { this.tokens = v; return this; }
        public Builder clock(Clock v) { this.clock = v; return this; }

        public CredentialAdmission build() {
            return new CredentialAdmission(this);
        }
    }
}
