/** The embedded file store ({@code file:} URIs): a directory, safe across processes on one host. */
module dev.meshjoin.store.file {
    requires transitive dev.meshjoin.api;

    exports dev.meshjoin.store.file;

    provides dev.meshjoin.api.store.BootstrapStoreProvider with dev.meshjoin.store.file.FileBootstrapStoreProvider;
}
