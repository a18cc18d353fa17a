/**
 * The join: {@link dev.meshjoin.core.MeshNode} and what a user configures it with. The state
 * machine, election, allocator, records and retries are internal packages.
 */
// Open (to reflection only; the exports below are the API) because Jackson reads and writes the
// stored records, the state file and the join's wire messages by reflection, and the build's
// module-info parser cannot name the package dev.meshjoin.core.record in an opens clause.
open module dev.meshjoin.core {
    requires transitive dev.meshjoin.api;
    requires org.slf4j;
    requires com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.datatype.jsr310;
    requires org.bouncycastle.provider;
    requires java.net.http;
    requires jdk.httpserver;

    exports dev.meshjoin.core;
    exports dev.meshjoin.core.address;
    // LighthouseWatch is in MeshNode's builder and CaRotation is what meshctl ca rotate|retire call.
    exports dev.meshjoin.core.lighthouse;
    exports dev.meshjoin.core.presence;
    exports dev.meshjoin.core.registry;
    exports dev.meshjoin.core.router;
    exports dev.meshjoin.core.secret;
    exports dev.meshjoin.core.signing;
    exports dev.meshjoin.core.store;
    // meshctl wraps its store in the checked view and gives it the CA it opened.
    exports dev.meshjoin.core.trust;
    // The umbrella takes the state directory's lock; nobody else needs the state's internals.
    exports dev.meshjoin.core.state to dev.meshjoin;


    uses dev.meshjoin.api.store.BootstrapStoreProvider;
    uses dev.meshjoin.api.registry.ServiceRegistryProvider;
}
