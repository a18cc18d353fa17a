package dev.meshjoin.api.join;

import java.util.List;
import java.util.Objects;

/**
 * What the signing service answers: the signed certificate and what the node needs to bring the
 * overlay up. The joiner verifies the certificate against the CA it pinned from the network record
 * before using any of it.
 *
 * @param certificatePem the node's certificate
 * @param address the overlay address with prefix, as in the certificate
 * @param groups the groups granted
 * @param observedSource the address the request came from, as the service saw it (for public
 *     address detection), or null
 */
public record JoinResponse(String certificatePem, String address, List<String> groups, String observedSource) {
    public JoinResponse {
        Objects.requireNonNull(certificatePem, "certificatePem");
        Objects.requireNonNull(address, "address");
        groups = List.copyOf(groups);
    }
}
