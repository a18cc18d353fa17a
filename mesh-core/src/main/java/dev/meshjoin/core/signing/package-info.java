/**
 * The signing service and the authenticated join over HTTP: the lighthouse's server
 * ({@link dev.meshjoin.core.signing.HttpSigningServerFactory}), the joiner's client
 * ({@link dev.meshjoin.core.signing.HttpJoinTransport}), the credential check with enrollment
 * tokens and the network secret ({@link dev.meshjoin.core.signing.CredentialAdmission}), rate
 * limits, replay protection and the audit log. {@code docs/security.md} gives the threat model.
 */
package dev.meshjoin.core.signing;
