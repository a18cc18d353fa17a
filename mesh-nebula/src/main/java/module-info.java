/** Nebula certificates in pure Java and the Nebula overlay driver, found by ServiceLoader. */
module dev.meshjoin.nebula {
    requires transitive dev.meshjoin.api;
    requires org.slf4j;
    requires org.bouncycastle.provider;
    requires org.yaml.snakeyaml;
    requires com.fasterxml.jackson.databind;

    exports dev.meshjoin.nebula.cert;
    exports dev.meshjoin.nebula.overlay;

    provides dev.meshjoin.api.ca.CertificateAuthorityProvider with dev.meshjoin.nebula.cert.NebulaCertificateAuthorityProvider;
    provides dev.meshjoin.api.overlay.OverlayDriverProvider with dev.meshjoin.nebula.overlay.NebulaOverlayDriverProvider;
}
