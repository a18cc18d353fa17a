/**
 * Implementation details shared by mesh-core's packages; not exported, not an API: anything here may
 * change in any release.
 */
package dev.meshjoin.core.internal;
