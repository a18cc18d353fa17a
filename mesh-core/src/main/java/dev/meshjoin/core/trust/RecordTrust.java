package dev.meshjoin.core.trust;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshjoin.api.MeshException;
import dev.meshjoin.api.ca.CertificateAuthority;
import dev.meshjoin.api.ca.CertificateAuthorityProvider;
import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.record.NetworkRecord;
import dev.meshjoin.core.record.StoreKeys;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one node trusts, and how it signs: the CA fingerprints it was given from outside the store
 * (a pin, its enrollment token, its state directory), the CA keys it holds (lighthouses, meshctl
 * with the CA passphrase) and the network secret's record key. Every record that grants trust is
 * checked here before anyone acts on it; see {@link TrustedStore} for which keys those are.
 *
 * <p>The network record is trusted when a CA this node trusts signed it; its CA bundle is then
 * trusted as a whole (a trusted CA vouched for exactly that set), and every other such record must
 * be signed by a CA of that bundle. A node without a pin trusts the CA that a record authenticated
 * by its network secret's MAC names, or the one whose sealed key its CA passphrase opens.
 */
public final class RecordTrust {
    private static final Logger LOG = LoggerFactory.getLogger(RecordTrust.class);

    /**
     * Finds the CA to trust for a network record when nothing outside the store names one: the CA
     * whose sealed key this node's CA passphrase opens, say. Empty when it cannot tell.
     */
    @FunctionalInterface
    public interface AnchorResolver {
        Optional<String> anchorFor(NetworkRecord unverified);
    }

    /**
     * The network as last verified.
     *
     * @param caFingerprint the signing CA
     * @param cas every CA of the verified bundle, by fingerprint
     * @param salt the network's salt
     */
    public record TrustedNetwork(String caFingerprint, Map<String, HostCertificate> cas, byte[] salt) {
        public TrustedNetwork {
            cas = Map.copyOf(cas);
            salt = salt.clone();
        }

        @Override
        public byte[] salt() {
            return salt.clone();
        }
    }

    private final StoreKeys keys;
    private final CertificateAuthorityProvider provider;
    private final Set<String> pins = ConcurrentHashMap.newKeySet();
    private final List<CertificateAuthority> signers = new CopyOnWriteArrayList<>();
    private final Map<String, Optional<byte[]>> macKeyCache = new ConcurrentHashMap<>();
    private final Set<String> resolved = ConcurrentHashMap.newKeySet();
    private volatile MacKeySource macKeys = salt -> Optional.empty();
    private volatile AnchorResolver resolver = rec -> Optional.empty();
    private volatile boolean firstUse;
    private volatile Runnable signerSource;
    private volatile boolean pinnedNetwork;
    private volatile byte[] writtenNetwork;
    private volatile boolean networkLacksMac;
    private volatile TrustedNetwork network;
    private volatile java.util.function.Consumer<TrustedNetwork> onVerified = n -> { };

    public RecordTrust(StoreKeys keys, CertificateAuthorityProvider provider) {
        this.keys = keys;
        this.provider = provider;
    }

    /** The trust of a node of the network with this name. */
    public RecordTrust(String network, CertificateAuthorityProvider provider) {
        this(StoreKeys.of(network), provider);
    }

    public StoreKeys keys() {
        return keys;
    }

    /** Trusts these CA fingerprints from now on (a pin, a token's, the state directory's). */
    public RecordTrust pin(Collection<String> fingerprints) {
        for (String fp : fingerprints) {
            pins.add(CaFingerprint.check(fp, "a trusted CA fingerprint"));
        }
        byte[] written = writtenNetwork;
        if (written != null && network == null && !pins.isEmpty()) {
            // A founder pins its CA once its record stands: the record it wrote is then the one it trusts,
            // without reading it back.
            writtenNetwork = null;
            try {
                openNetwork(keys.network(), written);
            } catch (TamperedStoreException e) {
                LOG.debug("the network record this node wrote is not signed by the CA it now trusts: {}", e.getMessage());
            }
        }
        return this;
    }

    /** The fingerprints trusted from outside the store. */
    public Set<String> pins() {
        return Set.copyOf(pins);
    }

    /** Where the record MAC key comes from (the network secret). */
    public RecordTrust macKeys(MacKeySource source) {
        this.macKeys = source;
        macKeyCache.clear();
        return this;
    }

    public RecordTrust anchorResolver(AnchorResolver r) {
        this.resolver = r;
        return this;
    }

    /**
     * Lets a node with no anchor at all trust the CA the network record names on first use (read-only
     * tools that only show what the store says). Nodes that join never do.
     */
    public RecordTrust allowFirstUse(boolean allow) {
        this.firstUse = allow;
        return this;
    }

    /** Told of every network record verified (a node keeps the bundle it trusts in its state directory). */
    public RecordTrust onVerified(java.util.function.Consumer<TrustedNetwork> listener) {
        this.onVerified = listener;
        return this;
    }

    /**
     * True when the network record last verified carries no MAC although this node holds the key
     * (a writer without the network secret wrote it); a lighthouse then writes it again with one.
     */
    public boolean networkLacksMac() {
        return networkLacksMac;
    }

    /** True when something names a CA to trust: a pin, or a network record verified before. */
    public boolean anchored() {
        return !anchors().isEmpty();
    }

    /** Run when this node has to sign and holds no CA key yet (it opens the sealed one); may add none. */
    public RecordTrust signerSource(Runnable source) {
        this.signerSource = source;
        return this;
    }

    /** Signs records with this CA from now on (a lighthouse that opened the CA key). */
    public void signWith(CertificateAuthority ca) {
        String fp = ca.caCertificate().fingerprint();
        signers.removeIf(s -> s.caCertificate().fingerprint().equals(fp));
        signers.add(ca);
    }

    /** The network record as last verified; empty before the first. */
    public Optional<TrustedNetwork> network() {
        return Optional.ofNullable(network);
    }

    /** Remembers a network record this node wrote before anything anchored it (a founder). */
    void written(byte[] sealedNetwork) {
        writtenNetwork = sealedNetwork.clone();
    }

    /**
     * Checks a stored network record and returns it without its envelope.
     *
     * @throws TamperedStoreException naming the key and the CA when it is not trusted
     */
    public byte[] openNetwork(String key, byte[] stored) {
        // The secret's slow derivation starts from the salt before the record is even parsed (a cold
        // JVM sets up its JSON mapper meanwhile); its key is used only once the record is verified.
        boolean prepared = RecordEnvelope.peekText(stored, "secretSalt").map(this::prepareMacKey).orElse(false);
        RecordEnvelope.Opened o = parse(key, stored);
        NetworkRecord rec = Json.read(o.recordBytes(), NetworkRecord.class, key);
        byte[] salt = decodeSalt(key, rec.secretSalt());
        if (!prepared && !macKeyCache.containsKey(Base64.getEncoder().encodeToString(salt))) {
            macKeys.prepare(salt); // when the peek found none: while the CA bundle and signature are checked
        }
        Set<String> anchors = anchors();
        boolean pinned = !anchors.isEmpty();
        Map<String, HostCertificate> cas = bundle(key, rec);
        if (!cas.containsKey(rec.caFingerprint())) {
            throw new TamperedStoreException(key, "the network record " + key + " names signing CA "
                    + rec.caFingerprint() + ", which its CA bundle lacks: the store may have been tampered with");
        }
        if (pinned) {
            verify(key, o, cas, anchors, rec.caFingerprint());
            checkMac(key, o, salt);
        } else {
            verify(key, o, cas, Set.of(anchorFor(key, o, rec, salt)), rec.caFingerprint());
        }
        networkLacksMac = o.mac() == null && macKeyFor(salt).isPresent();
        TrustedNetwork verified = new TrustedNetwork(rec.caFingerprint(), cas, salt);
        network = verified;
        // Only a record anchored outside the store makes its bundle trusted for later reads; one
        // trusted by its MAC or the CA passphrase is checked so again on every read.
        pinnedNetwork = pinned;
        onVerified.accept(verified);
        return o.recordBytes();
    }

    /** The CA to trust for a record that nothing outside the store anchors: by MAC, by CA passphrase, or on first use. */
    private String anchorFor(String key, RecordEnvelope.Opened o, NetworkRecord rec, byte[] salt) {
        String fp = rec.caFingerprint();
        if (checkMac(key, o, salt)) {
            return fp;
        }
        if (resolved.contains(fp)) {
            return fp;
        }
        Optional<String> r = resolver.anchorFor(rec);
        if (r.isPresent()) {
            // A fact, not a guess: the sealed key of that CA opened with this node's passphrase.
            resolved.add(r.get());
            return r.get();
        }
        if (firstUse) {
            LOG.warn("trusting CA {} of {} on first use: nothing outside the store names the CA", fp, key);
            return fp;
        }
        throw new TamperedStoreException(key, "cannot authenticate the network record " + key + ": "
                + (macKeyFor(salt).isPresent() ? "it carries no MAC of the network secret, so someone without"
                + " the secret wrote it, and " : "") + "this node has no CA to trust. Pin the CA with"
                + " MESH_CA_FINGERPRINT or --ca-fingerprint (meshctl ca fingerprint prints it), or join"
                + " with an enrollment token from this meshjoin version, which carries it");
    }

    /**
     * Takes the CA bundle of a statement this node just verified (the state document a lighthouse
     * served, signed by a trusted CA) as the network's: after a CA rotation a member that never
     * reads the store learns the new CA this way, and keeps trusting it once the old one is retired.
     */
    public void adopt(String caBundle, String caFingerprint) {
        TrustedNetwork net = network;
        if (net == null) {
            return;
        }
        Map<String, HostCertificate> cas = new LinkedHashMap<>();
        for (HostCertificate ca : provider.verifier(caBundle.getBytes(StandardCharsets.US_ASCII)).trusted()) {
            cas.put(ca.fingerprint(), ca);
        }
        if (!cas.containsKey(caFingerprint) || cas.keySet().equals(net.cas().keySet())) {
            return;
        }
        TrustedNetwork next = new TrustedNetwork(caFingerprint, cas, net.salt());
        network = next;
        onVerified.accept(next);
    }

    /**
     * Checks any other record that grants trust (tokens, revocations) against the verified network.
     *
     * @throws TamperedStoreException naming the key when no CA of the network signed it
     */
    public byte[] open(String key, byte[] stored, TrustedNetwork net) {
        RecordEnvelope.Opened o = parse(key, stored);
        checkMac(key, o, net.salt());
        verify(key, o, net.cas(), net.cas().keySet(), net.caFingerprint());
        return o.recordBytes();
    }

    /**
     * Adds the signatures of every CA key this node holds that the record (for the network record,
     * its new bundle; otherwise the verified network's) names, and the MAC when this node has the key.
     *
     * @throws MeshException when this node holds no such CA key: it cannot write the record
     */
    public byte[] seal(String key, byte[] plain, TrustedNetwork net) {
        RecordEnvelope.Opened o = parse(key, plain);
        Set<String> allowed;
        byte[] salt;
        if (key.equals(keys.network())) {
            NetworkRecord rec = Json.read(o.recordBytes(), NetworkRecord.class, key);
            allowed = bundle(key, rec).keySet();
            salt = decodeSalt(key, rec.secretSalt());
        } else {
            allowed = net.cas().keySet();
            salt = net.salt();
        }
        List<RecordSignature> sigs = signatures(key, o.message(), allowed);
        byte[] mac = macKeyFor(salt).map(k -> RecordEnvelope.mac(k, o.message())).orElse(null);
        return RecordEnvelope.seal(o.record(), sigs, mac);
    }

    /** Signs a statement that is not a store record (the state document's network part) under a context label. */
    public List<RecordSignature> signStatement(String context, JsonNode statement) {
        TrustedNetwork net = network;
        Set<String> allowed = net == null ? signerFingerprints() : net.cas().keySet();
        return signatures(context, RecordEnvelope.message(context, statement), allowed);
    }

    /**
     * Checks a statement signed with {@link #signStatement}: a CA of the verified network must have signed it.
     *
     * @param from who served it, for the message
     * @throws TamperedStoreException when none did
     */
    public void verifyStatement(String context, JsonNode statement, List<RecordSignature> signatures, String from) {
        TrustedNetwork net = network;
        if (net == null) {
            throw new MeshException("cannot check the state document from " + from + ": this node has not verified"
                    + " the network record yet");
        }
        byte[] message = RecordEnvelope.message(context, statement);
        verify(context + " from " + from, new RecordEnvelope.Opened(null, message, signatures, null), net.cas(),
                net.cas().keySet(), net.caFingerprint());
    }

    private List<RecordSignature> signatures(String key, byte[] message, Set<String> allowed) {
        Runnable source = signerSource;
        if (signers.isEmpty() && source != null) {
            source.run();
        }
        List<RecordSignature> out = new ArrayList<>();
        for (CertificateAuthority ca : signers) {
            String fp = ca.caCertificate().fingerprint();
            if (allowed.contains(fp)) {
                out.add(new RecordSignature(fp, Base64.getEncoder().encodeToString(ca.signStatement(message))));
            }
        }
        if (out.isEmpty()) {
            throw new MeshException("this node cannot write " + key + ": records that grant trust are signed by the"
                    + " network's CA, and this node holds " + (signers.isEmpty() ? "no CA key"
                    : "only the key of CA " + signerFingerprints() + ", which the record does not trust")
                    + ". Only lighthouses and meshctl given the CA passphrase write it");
        }
        return out;
    }

    private Set<String> signerFingerprints() {
        Set<String> out = new TreeSet<>();
        signers.forEach(s -> out.add(s.caCertificate().fingerprint()));
        return out;
    }

    private void verify(String key, RecordEnvelope.Opened o, Map<String, HostCertificate> cas, Set<String> anchors,
                        String named) {
        boolean valid = false;
        for (RecordSignature s : o.signatures()) {
            HostCertificate ca = cas.get(s.by());
            if (ca == null || !anchors.contains(s.by())) {
                continue;
            }
            byte[] sig;
            try {
                sig = Base64.getDecoder().decode(s.sig());
            } catch (IllegalArgumentException e) {
                sig = new byte[0];
            }
            if (!provider.verifyStatement(ca, o.message(), sig)) {
                throw new TamperedStoreException(key, key + " does not match the signature of CA " + s.by()
                        + ": it was changed by someone without the CA key (what the CA signed differs from what is"
                        + " stored, such as its CA bundle, lighthouses, signing endpoints, groups or uses): the store"
                        + " may have been tampered with. Nothing was acted on and the record was left as it is;"
                        + " restore it from a backup");
            }
            valid = true;
        }
        if (!valid) {
            String signedBy = o.signatures().isEmpty() ? "no CA signature"
                    : "signatures by " + o.signatures().stream().map(RecordSignature::by).toList();
            throw new TamperedStoreException(key, "the store names CA " + named + ", this node trusts "
                    + String.join(", ", new TreeSet<>(anchors)) + ": the store may have been tampered with ("
                    + key + " carries " + signedBy + "; nothing was acted on. If the network was founded anew on"
                    + " purpose, pin its CA or move this node's state directory away)");
        }
    }

    private Set<String> anchors() {
        Set<String> out = new TreeSet<>(pins);
        TrustedNetwork net = network;
        if (net != null && pinnedNetwork) {
            out.addAll(net.cas().keySet());
        }
        return out;
    }

    private boolean checkMac(String key, RecordEnvelope.Opened o, byte[] salt) {
        Optional<byte[]> k = macKeyFor(salt);
        if (k.isEmpty() || o.mac() == null) {
            return false;
        }
        if (!MessageDigest.isEqual(RecordEnvelope.mac(k.get(), o.message()), o.mac()) && macKeys.dropKept(salt)) {
            macKeyCache.remove(Base64.getEncoder().encodeToString(salt));
            k = macKeyFor(salt);
        }
        if (k.isEmpty() || !MessageDigest.isEqual(RecordEnvelope.mac(k.get(), o.message()), o.mac())) {
            throw new TamperedStoreException(key, key + " carries a MAC the network secret did not make: someone"
                    + " without the network secret wrote it (or this node's MESH_SECRET is not the network's)."
                    + " Nothing was acted on; the store may have been tampered with");
        }
        return true;
    }

    private Optional<byte[]> macKeyFor(byte[] salt) {
        return macKeyCache.computeIfAbsent(Base64.getEncoder().encodeToString(salt), s -> macKeys.recordMacKey(salt));
    }

    private Map<String, HostCertificate> bundle(String key, NetworkRecord rec) {
        Map<String, HostCertificate> out = new LinkedHashMap<>();
        try {
            for (HostCertificate ca : provider.verifier(rec.caBundle().getBytes(StandardCharsets.US_ASCII)).trusted()) {
                out.put(ca.fingerprint(), ca);
            }
        } catch (RuntimeException e) {
            throw new TamperedStoreException(key, "the CA bundle of " + key + " does not parse (" + e.getMessage()
                    + "): the store may have been tampered with");
        }
        return out;
    }

    /** Starts the MAC key's derivation for a salt peeked from a record; true when that is done or under way. */
    private boolean prepareMacKey(String salt) {
        try {
            byte[] s = Base64.getDecoder().decode(salt);
            if (s.length == 0) {
                return false;
            }
            if (!macKeyCache.containsKey(Base64.getEncoder().encodeToString(s))) {
                macKeys.prepare(s);
            }
            return true;
        } catch (IllegalArgumentException e) {
            return false; // not base64: the full parse refuses the record
        }
    }

    private static byte[] decodeSalt(String key, String salt) {
        try {
            return Base64.getDecoder().decode(salt);
        } catch (IllegalArgumentException e) {
            throw new TamperedStoreException(key, "the salt of " + key + " is not base64: the record is damaged");
        }
    }

    private static RecordEnvelope.Opened parse(String key, byte[] stored) {
        try {
            return RecordEnvelope.open(key, stored);
        } catch (IllegalArgumentException e) {
            throw new Json.CorruptRecordException(key, e.getMessage(), e);
        }
    }
}
