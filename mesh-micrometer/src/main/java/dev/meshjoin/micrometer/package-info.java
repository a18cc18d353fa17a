/** Micrometer meters for meshjoin nodes: {@link dev.meshjoin.micrometer.MeshNodeMetrics}. */
package dev.meshjoin.micrometer;
