package dev.meshjoin.core.state;

import dev.meshjoin.core.record.NetworkRecord;
import java.util.List;
import java.util.Objects;

/**
 * The part of the state document that is the same for every member: whom to trust, where the
 * lighthouses are, whom to refuse. It is the part a CA signature will cover (its canonical JSON
 * bytes, see docs/lifecycle.md), so it holds nothing about the caller.
 *
 * @param network the network name
 * @param caType the certificate format
 * @param caBundle every trusted CA certificate, PEM
 * @param caFingerprint the CA that signs new certificates
 * @param lighthouses every lighthouse, by name, with its overlay daemon's and signing service's endpoints
 * @param blocklist fingerprints of revoked certificates not yet expired, sorted
 */
public record NetworkState(String network, String caType, String caBundle, String caFingerprint,
                           List<NetworkRecord.LighthouseEntry> lighthouses, List<String> blocklist) {
    public NetworkState {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(caType, "caType");
        Objects.requireNonNull(caBundle, "caBundle");
        Objects.requireNonNull(caFingerprint, "caFingerprint");
        lighthouses = List.copyOf(lighthouses);
        blocklist = List.copyOf(blocklist);
    }
}
