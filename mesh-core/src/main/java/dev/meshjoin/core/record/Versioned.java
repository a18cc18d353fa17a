package dev.meshjoin.core.record;

/** A store record with a schema version; every record meshjoin writes has one. */
public interface Versioned {
    /** The schema version this meshjoin writes and reads. */
    int SCHEMA = 1;

    int schema();
}
