package dev.meshjoin.core.machine;

import dev.meshjoin.api.ca.CaSpec;
import dev.meshjoin.api.ca.CertificateAuthority;
import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.ca.HostKeyPair;
import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.api.net.Ipv4Interface;
import dev.meshjoin.api.store.Entry;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.election.FounderElection;
import dev.meshjoin.core.lighthouse.CaVault;
import dev.meshjoin.core.lighthouse.Lighthouse;
import dev.meshjoin.core.record.Json;
import dev.meshjoin.core.record.NetworkRecord;
import dev.meshjoin.core.record.NetworkRecords;
import dev.meshjoin.core.record.NetworkView;
import dev.meshjoin.core.record.Role;
import dev.meshjoin.core.record.Versioned;
import dev.meshjoin.core.state.LocalState;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * FOUNDING: this node won the claim. It creates the CA (its key goes to the store sealed, never to
 * disk), writes the network record with put-if-absent, takes the first address and starts serving
 * joins. A founder that lost the race after all goes back to discovering the winner's network.
 */
final class Found implements Step {
    private static final Logger LOG = LoggerFactory.getLogger(Found.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final JoinRun run;
    private final FounderElection election;
    private final FounderElection.Claim claim;
    private String pendingCaKey;
    private boolean recordWritten;

    Found(JoinRun run, FounderElection election, FounderElection.Claim claim) {
        this.run = run;
        this.election = election;
        this.claim = claim;
    }

    @Override
    public NodeState state() {
        return NodeState.FOUNDING;
    }

    @Override
    public String detail() {
        return "creating the certificate authority for " + run.config.keys.networkName();
    }

    @Override
    public Step run() throws InterruptedException {
        try {
            return found();
        } catch (RuntimeException | InterruptedException e) {
            abandon();
            throw e;
        }
    }

    private Step found() throws InterruptedException {
        NodeConfig c = run.config;
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        CertificateAuthority ca = c.caProvider.create(CaSpec.forNetwork(c.keys.networkName() + " mesh CA", c.cidr,
                c.caValidity));
        String caFp = ca.caCertificate().fingerprint();
        CaVault vault = run.vault();
        // The network record is signed by its CA; this node trusts it only once its record stands.
        c.trust.signWith(ca);
        String caKeyKey = vault.keyOf(ca);
        Optional<Entry> sealedKey = vault.seal(ca, salt);
        pendingCaKey = caKeyKey;
        HostKeyPair hostKeys = run.hostKeys();
        Ipv4Address address = c.cidr.addressAt(1);
        Lighthouse lighthouse = run.newLighthouse(ca, c.cidr, false);
        HostCertificate own = lighthouse.certify(c.nodeName, hostKeys.publicKey(), address, c.groups);
        Optional<FounderElection.Claim> renewed = election.renew(claim);
        if (renewed.isEmpty()) {
            LOG.warn("{} lost its founder claim while founding; joining instead", c.nodeName);
            sealedKey.ifPresent(e -> vault.discard(caKeyKey, e));
            pendingCaKey = null;
            return new Discover(run);
        }
        // Stamped just before the check that put-if-absent makes, so every competing record was
        // checked after this instant minus the bound.
        Instant check = c.clock.instant();
        NetworkRecord rec = new NetworkRecord(Versioned.SCHEMA, c.keys.networkName(), c.cidr.toString(),
                c.caProvider.type(), ca.caCertificate().pemText(), caFp,
                List.of(new NetworkRecord.LighthouseEntry(c.nodeName, address.toString(),
                        List.of(c.publicEndpoint.toString()), c.signingEndpoint().toString())),
                c.nodeName, check, Base64.getEncoder().encodeToString(salt));
        if (c.store.putIfAbsent(c.keys.network(), Json.write(rec)).isEmpty()) {
            LOG.warn("{} found a network record written by another founder; joining instead", c.nodeName);
            sealedKey.ifPresent(e -> vault.discard(caKeyKey, e));
            pendingCaKey = null;
            election.release(renewed.get());
            return new Discover(run);
        }
        Instant ack = c.clock.instant();
        recordWritten = true;
        if (!c.store.consistency().isLinearizable() && !confirm(caFp, check, ack)) {
            // Another founder's record prevailed: stand down. This CA is named nowhere, so its sealed
            // key goes, and this node never serves; it joins the winner's network instead.
            sealedKey.ifPresent(e -> vault.discard(caKeyKey, e));
            pendingCaKey = null;
            election.release(renewed.get());
            return new Discover(run);
        }
        run.network = NetworkView.of(rec, c.keys.network());
        c.trust.pin(List.of(caFp));
        pendingCaKey = null;
        lighthouse.claim(address, c.nodeName, hostKeys.publicKey(), own.notAfter());
        c.local.saveCertificate(own.pem());
        c.local.saveIdentity(new LocalState.Identity(c.keys.networkName(), c.nodeName, Role.FOUNDER, caFp,
                new Ipv4Interface(address, c.cidr.prefixLength()).toString()));
        election.release(renewed.get());
        run.certificate = own;
        run.founder = true;
        LOG.info("{} founded network {} ({}), CA {}", c.nodeName, c.keys.networkName(), c.cidr, caFp);
        run.lighthouse = lighthouse;
        c.admission.prepare(run.network.joinNetwork());
        lighthouse.serve(c.signingEndpoint(), own);
        return new StartOverlay(run, hostKeys, own, true);
    }

    /**
     * On an eventual store: waits until no competing record can still appear, then reads the record
     * again. Our record is visible everywhere at most a bound after its acknowledgement; a rival
     * checked before that, and its write (taking about as long as ours, {@code ack - check}) is
     * visible everywhere a bound later: ack + 2 bound + (ack - check) + margin.
     *
     * @return true when the record that prevailed is ours
     */
    private boolean confirm(String caFp, Instant check, Instant ack) throws InterruptedException {
        NodeConfig c = run.config;
        Duration bound = c.store.consistency().propagationBound();
        Instant settled = ack.plus(bound.multipliedBy(2)).plus(Duration.between(check, ack)).plus(Discover.EVENTUAL_MARGIN);
        Duration wait = Duration.between(c.clock.instant(), settled);
        run.say("network record written; confirming it at " + settled + " on the eventually consistent store");
        if (!wait.isNegative()) {
            Thread.sleep(wait.toMillis());
        }
        Optional<NetworkView> seen = NetworkRecords.read(c.store, c.keys);
        if (seen.isPresent() && seen.get().caFingerprint().equals(caFp)) {
            return true;
        }
        LOG.warn("{}: another founder's network record prevailed{}; standing down and joining it", c.nodeName,
                seen.map(v -> " (" + v.record().founder() + ", CA " + v.caFingerprint() + ")").orElse(""));
        return false;
    }

    /**
     * Best effort after a failed founding: give the claim back so the next node need not wait for
     * the lease, and remove this attempt's sealed CA key unless a network record names that CA.
     * When the store is down this fails too, and the claim's time-to-live does the job.
     */
    private void abandon() {
        try {
            if (!run.founder) {
                election.release(claim);
                if (pendingCaKey != null && !recordWritten) {
                    run.vault().discard(pendingCaKey);
                }
            }
        } catch (RuntimeException e) {
            LOG.info("{}: could not clean up after a failed founding ({}); the claim expires by itself",
                    run.config.nodeName, e.getMessage());
        } finally {
            pendingCaKey = null;
        }
    }
}
