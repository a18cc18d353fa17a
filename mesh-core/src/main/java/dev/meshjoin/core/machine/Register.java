package dev.meshjoin.core.machine;

import dev.meshjoin.api.ca.HostCertificate;
import dev.meshjoin.api.ca.HostKeyPair;
import dev.meshjoin.api.store.StoreException;
import dev.meshjoin.core.NodeState;
import dev.meshjoin.core.record.MemberRecord;
import dev.meshjoin.core.record.Members;
import dev.meshjoin.core.record.Role;
import dev.meshjoin.core.record.Versioned;

/**
 * REGISTERING: a lighthouse writes its member record with its role and endpoint; a member writes
 * nothing, since the lighthouse that admitted it wrote its record. Then the node starts following the network state, whose first poll tells a
 * lighthouse the node is present.
 */
final class Register implements Step {
    private final JoinRun run;
    private final HostKeyPair hostKeys;
    private final HostCertificate cert;
    private final boolean lighthouse;

    Register(JoinRun run, HostKeyPair hostKeys, HostCertificate cert, boolean lighthouse) {
        this.run = run;
        this.hostKeys = hostKeys;
        this.cert = cert;
        this.lighthouse = lighthouse;
    }

    @Override
    public NodeState state() {
        return NodeState.REGISTERING;
    }

    @Override
    public String detail() {
        return lighthouse ? "writing " + run.config.keys.member(run.config.nodeName)
                : "starting to follow the network state";
    }

    @Override
    public Step run() throws InterruptedException {
        NodeConfig c = run.config;
        MemberRecord rec = new MemberRecord(Versioned.SCHEMA, c.nodeName, cert.address().toString(), cert.groups(),
                lighthouse ? Role.LIGHTHOUSE : Role.MEMBER, c.publicEndpoint == null ? null : c.publicEndpoint.toString(),
                cert.fingerprint(), cert.notAfter(), c.clock.instant(), cert.issuer());
        if (!lighthouse) {
            // The lighthouse that admitted this node wrote its record (name, address, groups,
            // certificate, role); a public endpoint reaches the lighthouses with every poll and is
            // kept in their presence records. So a member needs no write access to the store after
            // its join, and on Workers KV this saves a write and the wait for the key's next write slot.
            Following.start(run, hostKeys, cert, false);
            return new Ready(cert);
        }
        if (!c.store.consistency().isLinearizable()) {
            // The lighthouse wrote this key when it admitted us, moments ago: an eventual store such
            // as KV takes one write per second per key, so wait for the key's next write slot rather
            // than lose a race to that write and pay for it in requests.
            Thread.sleep(Members.EVENTUAL_WRITE_SLOT.toMillis());
        }
        if (!Members.upsert(c.store, c.keys, rec)) {
            throw new StoreException(c.store.name(), "register " + c.keys.member(c.nodeName),
                    "the member record kept changing", true);
        }
        Following.start(run, hostKeys, cert, lighthouse);
        return new Ready(cert);
    }
}
