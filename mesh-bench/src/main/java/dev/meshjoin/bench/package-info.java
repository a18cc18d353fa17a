/** Benchmarks of meshjoin: JMH benchmarks and bench mains that print their figures. */
package dev.meshjoin.bench;
