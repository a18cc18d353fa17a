package dev.meshjoin.api.ca;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.net.Ipv4Address;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a certificate authority is asked to sign. The caller (the signing service) has already
 * decided the name, address and groups; the authority still enforces its own constraints.
 *
 * @param publicKey the node's raw public key; the node keeps the private half
 * @param name the node name
 * @param address the node's overlay address
 * @param prefixLength the overlay network's prefix length, carried in the certificate as the mask
 * @param groups the groups granted, in order
 * @param validity how long the certificate is valid, or {@code null} for the authority's default
 *     (until one second before the CA itself expires, as nebula-cert does)
 * @param backdate how long before now the certificate becomes valid (never before its CA), so a
 *     holder whose clock is behind accepts it; {@code null} or zero: from now, as nebula-cert
 *     signs. The signing service uses {@link CertificateAuthority#BACKDATE}.
 */
public record CertificateRequest(byte[] publicKey, String name, Ipv4Address address, int prefixLength,
                                 List<String> groups, Duration validity, Duration backdate) {

    /** A request valid from now. */
    public CertificateRequest(byte[] publicKey, String name, Ipv4Address address, int prefixLength,
                              List<String> groups, Duration validity) {
        this(publicKey, name, address, prefixLength, groups, validity, Duration.ZERO);
    }

    public CertificateRequest {
        Objects.requireNonNull(publicKey, "publicKey");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
        groups = List.copyOf(Objects.requireNonNull(groups, "groups"));
        if (prefixLength < 0 || prefixLength > 32) {
            throw new ConfigurationException("prefix length " + prefixLength + " is outside 0..32");
        }
        if (validity != null && (validity.isNegative() || validity.isZero())) {
            throw new ConfigurationException("certificate validity must be positive, got " + validity);
        }
        backdate = backdate == null ? Duration.ZERO : backdate;
        if (backdate.isNegative()) {
            throw new ConfigurationException("a certificate cannot be dated into the future; got backdate " + backdate);
        }
        publicKey = publicKey.clone();
    }

    @Override
    public byte[] publicKey() {
        return publicKey.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CertificateRequest r && java.util.Arrays.equals(publicKey, r.publicKey)
                && name.equals(r.name) && address.equals(r.address) && prefixLength == r.prefixLength
                && groups.equals(r.groups) && Objects.equals(validity, r.validity) && backdate.equals(r.backdate);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, address, prefixLength, groups, validity);
    }

    @Override
    public String toString() {
        return "CertificateRequest[" + name + " " + address + "/" + prefixLength + " " + groups + "]";
    }
}
