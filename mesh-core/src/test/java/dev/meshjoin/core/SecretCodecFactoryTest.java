package dev.meshjoin.core;

import dev.meshjoin.api.join.SecretCodecFactory;
import dev.meshjoin.core.secret.SecretCodecs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshjoin.api.ConfigurationException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SecretCodecFactoryTest {

    @Test
    void aShortCaPassphraseIsRefusedWithWhatToDo() {
        assertThatThrownBy(() -> SecretCodecs.passphrase("x".toCharArray()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("the CA passphrase is 1 characters; it must be at least 16")
                .hasMessageContaining("MESH_CA_PASSPHRASE_FILE");
        // Characters, not UTF-16 units: 15 emoji are 30 chars but still too short.
        assertThatThrownBy(() -> SecretCodecs.passphrase("\uD83D\uDD11".repeat(15).toCharArray()))
                .hasMessageContaining("is 15 characters");
    }

    @Test
    void aLongEnoughPassphraseSealsAndOpens() {
        SecretCodecFactory f = SecretCodecs.passphrase("sixteen-chars-ok".toCharArray());
        byte[] salt = new byte[16];
        byte[] sealed = f.forNetwork(salt).seal("v".getBytes(StandardCharsets.UTF_8), null);
        assertThat(f.forNetwork(salt).open(sealed, null)).isEqualTo("v".getBytes(StandardCharsets.UTF_8));
    }
}
