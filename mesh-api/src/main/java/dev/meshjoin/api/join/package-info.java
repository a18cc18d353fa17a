/**
 * The join's SPI: how a joining node proves its right to join ({@link dev.meshjoin.api.join.JoinCredentials}),
 * how its request reaches a lighthouse ({@link dev.meshjoin.api.join.JoinTransport}), how a lighthouse
 * serves joins ({@link dev.meshjoin.api.join.SigningServerFactory}) and decides who may join
 * ({@link dev.meshjoin.api.join.Admission}), and how secrets are sealed at rest
 * ({@link dev.meshjoin.api.join.SecretCodecFactory}).
 */
package dev.meshjoin.api.join;
