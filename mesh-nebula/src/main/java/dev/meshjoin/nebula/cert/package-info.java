/**
 * Nebula v1 certificates in pure Java, byte-compatible with {@code nebula-cert}: the certificate
 * ({@link dev.meshjoin.nebula.cert.NebulaCertificate}), PEM with Nebula's banners
 * ({@link dev.meshjoin.nebula.cert.NebulaPem}), CA and host keys
 * ({@link dev.meshjoin.nebula.cert.CaSigningKey}, {@link dev.meshjoin.nebula.cert.HostKeys}),
 * verification ({@link dev.meshjoin.nebula.cert.NebulaCaPool}) and the {@code nebula-v1}
 * certificate authority ({@link dev.meshjoin.nebula.cert.NebulaCertificateAuthority}).
 */
package dev.meshjoin.nebula.cert;
