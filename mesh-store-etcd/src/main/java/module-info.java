/** The etcd v3 store ({@code etcd://} URIs), over etcd's JSON gateway: linearizable conditional writes. */
module dev.meshjoin.store.etcd {
    requires transitive dev.meshjoin.api;
    requires java.net.http;
    requires com.fasterxml.jackson.databind;
    requires org.slf4j;

    exports dev.meshjoin.store.etcd;

    provides dev.meshjoin.api.store.BootstrapStoreProvider with dev.meshjoin.store.etcd.EtcdStoreProvider;
}
