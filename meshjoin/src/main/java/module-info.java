/**
 * The one dependency a worker needs: {@link dev.meshjoin.MeshJoin} and {@link dev.meshjoin.MeshConfig},
 * with the core, the Nebula CA and driver, the HTTP join and the file store.
 */
module dev.meshjoin {
    requires transitive dev.meshjoin.api;
    requires transitive dev.meshjoin.core;
    // Resolved so that their ServiceLoader providers (certificates, overlay, file: store) are found.
    requires dev.meshjoin.nebula;
    requires dev.meshjoin.store.file;
    requires org.slf4j;

    exports dev.meshjoin;

    uses dev.meshjoin.api.ca.CertificateAuthorityProvider;
    uses dev.meshjoin.api.overlay.OverlayDriverProvider;
    uses dev.meshjoin.api.store.BootstrapStoreProvider;
}
