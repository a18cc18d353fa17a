/**
 * The meshjoin service provider interface: what a bootstrap store, a certificate authority, an
 * overlay driver, an IP allocator and a secret codec must do, with the value types they exchange
 * and one unchecked exception hierarchy rooted at {@link dev.meshjoin.api.MeshException}.
 *
 * <p>This module depends on nothing but the JDK so that adapters can be written against it without
 * pulling in the core.
 */
package dev.meshjoin.api;
