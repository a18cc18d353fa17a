package dev.meshjoin.core.machine;

import dev.meshjoin.api.JoinRefusedException;
import dev.meshjoin.api.MeshException;
import dev.meshjoin.api.RefusalReason;
import dev.meshjoin.api.ca.CertificateVerifier;
import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.ca.HostKeyPair;
import dev.meshjoin.api.ca.InvalidCertificateException;
import dev.meshjoin.api.retry.Deadline;
import dev.meshjoin.api.retry.RetryPolicy;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.api.join.JoinNetwork;
import dev.meshjoin.api.join.JoinRequest;
import dev.meshjoin.api.join.JoinResponse;
import dev.meshjoin.core.record.NetworkView;
import dev.meshjoin.core.record.Role;
import dev.meshjoin.core.state.LocalState;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JOINING: asks a lighthouse for a certificate. The node makes (or keeps) its own key pair, sends
 * only the public key, and verifies what it gets against the CA pinned in the network record. Every
 * lighthouse in the record is tried, in a random order (so joiners spread over them and a dead one
 * is not everyone's first try), each within {@code lighthouseTimeout}; then the join backs off and
 * tries again, until the join's deadline (a lighthouse that has just founded may not serve yet).
 */
final class Join implements Step {
    private static final Logger LOG = LoggerFactory.getLogger(Join.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** 50 ms doubling to 2 s between rounds over the lighthouses, until the deadline. */
    static final RetryPolicy ASK_AGAIN = RetryPolicy.exponential(Duration.ofMillis(50), Duration.ofSeconds(2),
            Integer.MAX_VALUE);

    private final JoinRun run;
    private final NetworkView network;

    Join(JoinRun run, NetworkView network) {
        this.run = run;
        this.network = network;
    }

    /** No lighthouse answered in one round; retried by {@link #ASK_AGAIN}. */
    private static final class Unanswered extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final MeshException last;

        Unanswered(MeshException last) {
            super(null, last, false, false);
            this.last = last;
        }
    }

    @Override
    public NodeState state() {
        return NodeState.JOINING;
    }

    @Override
    public String detail() {
        return "asking a lighthouse of " + network.name() + " for a certificate";
    }

    @Override
    public Step run() throws InterruptedException {
        HostKeyPair hostKeys = run.hostKeys();
        HostCertificate cert = obtain(hostKeys);
        NodeConfig c = run.config;
        c.local.saveIdentity(new LocalState.Identity(network.name(), c.nodeName, Role.MEMBER, network.caFingerprint(),
                cert.addresses().get(0).toString()));
        c.trust.pin(java.util.List.of(network.caFingerprint()));
        run.certificate = cert;
        run.founder = false;
        return new StartOverlay(run, hostKeys, cert, false);
    }

    /**
     * Joins again from a running node whose certificate is about to expire and cannot be renewed:
     * the same request with the node's credential, bounded by the join timeout.
     */
    static HostCertificate rejoin(JoinRun run, HostKeyPair hostKeys) {
        try (dev.meshjoin.api.retry.Deadline.Scope scope = dev.meshjoin.api.retry.Deadline.after(run.config.joinTimeout)
                .enter()) {
            return new Join(run, run.network).obtain(hostKeys);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MeshException("interrupted while joining again", e);
        }
    }

    /** Asks the lighthouses for a certificate for this key and verifies it; saves it. */
    private HostCertificate obtain(HostKeyPair hostKeys) throws InterruptedException {
        NodeConfig c = run.config;
        CertificateVerifier verifier = c.caProvider.verifier(network.caBundle());
        JoinResponse response;
        try {
            // One status per unanswered round, so whoever watches the node sees what it waits for.
            response = ASK_AGAIN.call(() -> askEveryLighthouse(hostKeys), Unanswered.class::isInstance,
                    (attempt, failure, delay) -> run.say("no lighthouse answered yet (" + describe(((Unanswered) failure).last)
                            + "); asking again in " + delay.toMillis() + " ms"));
        } catch (Unanswered e) {
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while asking the lighthouses");
            }
            run.checkCancelled();
            throw new MeshException("no lighthouse of " + network.name() + " answered the join request"
                    + (e.last == null ? "" : " (last: " + e.last.getMessage() + ")")
                    + "; check that a lighthouse runs and its signing service is reachable", e.last);
        }
        HostCertificate cert = verifyOwnCertificate(verifier, response, hostKeys);
        run.observedSource = response.observedSource();
        c.local.saveCertificate(cert.pem());
        return cert;
    }

    /**
     * A request with a fresh nonce and the proof bound to it, for every attempt: a lighthouse
     * remembers each nonce it opened, so resending one after a failure of its own (its store was
     * down) would be refused as a replay, for good.
     */
    private JoinRequest freshRequest(HostKeyPair hostKeys) {
        NodeConfig c = run.config;
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        byte[] proof = c.credentials.proofFor(network.joinNetwork(), c.nodeName, hostKeys.publicKey(), nonce);
        return new JoinRequest(network.name(), c.nodeName, hostKeys.publicKey(), c.groups, nonce, proof);
    }

    private JoinResponse askEveryLighthouse(HostKeyPair hostKeys) {
        MeshException last = null;
        boolean freshProof = false;
        JoinNetwork joinNetwork = network.joinNetwork();
        // From a random lighthouse on: joins spread over all of them instead of crowding the first.
        List<NetworkView.LighthouseView> all = network.lighthouses();
        int from = all.isEmpty() ? 0 : RANDOM.nextInt(all.size());
        for (int i = 0; i < all.size(); i++) {
            NetworkView.LighthouseView lh = all.get((from + i) % all.size());
            run.checkCancelled();
            if (Deadline.current().expired()) {
                break;
            }
            try (Deadline.Scope each = Deadline.current().within(run.config.lighthouseTimeout).enter()) {
                return run.config.transport.join(lh.signingEndpoint(), freshRequest(hostKeys), joinNetwork);
            } catch (JoinRefusedException e) {
                if (e.reason() == RefusalReason.BAD_CREDENTIAL && !freshProof && run.config.credentials.refused(joinNetwork)) {
                    // The proof came from a kept derivation (the secret has changed since): once more, afresh.
                    freshProof = true;
                    i--;
                    continue;
                }
                if (e.reason() != RefusalReason.BUSY) {
                    throw e;
                }
                LOG.debug("{}: lighthouse {} is busy: {}", run.config.nodeName, lh.name(), e.getMessage());
                last = e;
            } catch (MeshException e) {
                LOG.debug("{}: lighthouse {} did not answer: {}", run.config.nodeName, lh.name(), e.getMessage());
                last = e;
            }
        }
        throw new Unanswered(last);
    }

    private static String describe(MeshException e) {
        return e == null ? "no lighthouse listed" : e.getMessage();
    }

    private HostCertificate verifyOwnCertificate(CertificateVerifier verifier, JoinResponse response, HostKeyPair hostKeys) {
        NodeConfig c = run.config;
        HostCertificate cert = verifier.verify(response.certificatePem().getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                c.clock.instant());
        if (!Arrays.equals(cert.publicKey(), hostKeys.publicKey())) {
            throw new InvalidCertificateException(InvalidCertificateException.Reason.KEY_MISMATCH,
                    "the lighthouse returned a certificate for another key; refusing it");
        }
        if (!cert.name().equals(c.nodeName)) {
            throw new InvalidCertificateException(InvalidCertificateException.Reason.CONSTRAINT_VIOLATION,
                    "the lighthouse returned a certificate named " + cert.name() + ", not " + c.nodeName);
        }
        if (cert.addresses().size() != 1 || !network.cidr().contains(cert.address())
                || !cert.addresses().get(0).toString().equals(response.address())) {
            throw new InvalidCertificateException(InvalidCertificateException.Reason.CONSTRAINT_VIOLATION,
                    "the lighthouse returned a certificate for " + cert.addresses() + ", outside " + network.cidr()
                            + " or unlike the address it announced");
        }
        return cert;
    }
}
