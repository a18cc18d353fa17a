/**
 * Test hosts in Linux network namespaces: {@link dev.meshjoin.testkit.netns.NetnsLab} makes a
 * bridge and joined host namespaces, runs commands and processes inside them, and removes it all.
 */
package dev.meshjoin.testkit.netns;
