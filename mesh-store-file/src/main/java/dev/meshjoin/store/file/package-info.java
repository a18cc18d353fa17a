/**
 * The embedded default {@link dev.meshjoin.api.store.BootstrapStore}: a directory on the local
 * disk, safe for any number of threads and processes on one host. See {@link
 * dev.meshjoin.store.file.FileBootstrapStore} for the layout and the guarantees.
 */
package dev.meshjoin.store.file;
