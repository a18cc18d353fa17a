package dev.meshjoin.cli;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** What every meshctl-in-namespaces test shares: a temporary directory, a lab, skipping without root or nebula. */
abstract class MeshctlLabIT {
    @TempDir
    Path tmp;

    MeshctlLab lab;

    // Checked before each test, not in @BeforeAll: an assumption there makes Failsafe count no test at
    // all, while here every test is reported skipped with the reason.
    @BeforeEach
    void needsRootAndNebula() {
        MeshctlLab.assumeRootAndNebula();
    }

    @AfterEach
    void closeLab() {
        if (lab != null) {
            lab.close();
            lab = null;
        }
    }
}
