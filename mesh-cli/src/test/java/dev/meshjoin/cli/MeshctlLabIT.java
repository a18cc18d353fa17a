package dev.meshjoin.cli;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** What every meshctl-in-namespaces test shares: a temporary directory, a lab, skipping without root or nebula. */
abstract class MeshctlLabIT {
    @TempDir
    Path tmp;

    MeshctlLab lab;

    @BeforeAll
    static void needsRootAndNebula() {
        MeshctlLab.assumeRootAndNebula();
    }

    @AfterEach
    void closeLab() {
        if (lab != null) {
            lab.close();
        }
    }
}
