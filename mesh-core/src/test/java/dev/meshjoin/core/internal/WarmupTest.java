package dev.meshjoin.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class WarmupTest {

    @Test
    void theWarmUpsDigestsAreRealSha256Chains() throws Exception {
        // Two rounds by hand: SHA-256 of 64 zero bytes then the 32-byte value, twice.
        byte[] u = new byte[32];
        for (int i = 0; i < 2; i++) {
            MessageDigest h = MessageDigest.getInstance("SHA-256");
            h.update(new byte[64]);
            h.update(u);
            u = h.digest();
        }
        assertThat(HexFormat.of().formatHex(Warmup.sha256(2))).isEqualTo(HexFormat.of().formatHex(u));
    }

    @Test
    void aStartedWarmUpIsNotStartedAgain() throws Exception {
        Warmup.start();
        for (int i = 0; i < 20; i++) {
            Warmup.start();
        }
        long threads = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("meshjoin-warm-up")).count();
        assertThat(threads).isLessThanOrEqualTo(1);
    }
}
