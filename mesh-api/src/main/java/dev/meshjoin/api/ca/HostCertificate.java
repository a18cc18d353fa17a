package dev.meshjoin.api.ca;

import dev.meshjoin.api.net.Ipv4Address;
import dev.meshjoin.api.net.Ipv4Interface;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A parsed certificate — a host's or a CA's — with the encoded form it came from.
 *
 * @param pem the certificate as PEM text bytes, exactly as issued
 * @param fingerprint lower-case hex SHA-256 of the encoded certificate, as {@code nebula-cert print} shows it
 * @param name the certificate's name
 * @param addresses overlay addresses with their network masks (empty for a CA without networks)
 * @param groups the groups, in the certificate's order
 * @param notBefore start of validity
 * @param notAfter end of validity
 * @param publicKey the raw public key
 * @param ca whether this is a CA certificate
 * @param issuer the fingerprint of the signing CA, empty for a self-signed CA
 */
public record HostCertificate(byte[] pem, String fingerprint, String name, List<Ipv4Interface> addresses,
                              List<String> groups, Instant notBefore, Instant notAfter, byte[] publicKey,
                              boolean ca, String issuer) {

    public HostCertificate {
        Objects.requireNonNull(pem, "pem");
        Objects.requireNonNull(fingerprint, "fingerprint");
        Objects.requireNonNull(name, "name");
        addresses = List.copyOf(addresses);
        groups = List.copyOf(groups);
        Objects.requireNonNull(notBefore, "notBefore");
        Objects.requireNonNull(notAfter, "notAfter");
        Objects.requireNonNull(issuer, "issuer");
        pem = pem.clone();
        publicKey = publicKey.clone();
    }

    @Override
    public byte[] pem() {
        return pem.clone();
    }

    @Override
    public byte[] publicKey() {
        return publicKey.clone();
    }

    public String pemText() {
        return new String(pem, StandardCharsets.US_ASCII);
    }

    /**
     * The host's overlay address: the first address of the certificate. Nebula's v1 certificate
     * carries the address and its network's mask together, as in {@code 10.42.0.7/16}.
     */
    public Ipv4Address address() {
        if (addresses.isEmpty()) {
            throw new IllegalStateException("certificate " + name + " carries no address");
        }
        return addresses.get(0).address();
    }

    /** True when {@code at} lies inside the validity window. */
    public boolean validAt(Instant at) {
        return !at.isBefore(notBefore) && !at.isAfter(notAfter);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostCertificate c && Arrays.equals(pem, c.pem);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(pem);
    }

    @Override
    public String toString() {
        return "HostCertificate[" + name + " " + addresses + " " + groups + " until " + notAfter
                + " fp " + fingerprint + "]";
    }
}
