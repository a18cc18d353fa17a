/**
 * {@link dev.meshjoin.store.etcd.EtcdBootstrapStore}: a linearizable bootstrap store on etcd v3
 * through its JSON gateway, with real atomic conditional writes, for fleets that outgrow Workers KV.
 */
package dev.meshjoin.store.etcd;
