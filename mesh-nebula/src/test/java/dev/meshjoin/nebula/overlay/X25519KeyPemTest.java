package dev.meshjoin.nebula.overlay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshjoin.api.ConfigurationException;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class X25519KeyPemTest {

    @Test
    void matchesTheFormNebulaCertWrites() {
        // Output of `nebula-cert keygen` (1.6.1), kept to pin the exact layout.
        String pem = "-----BEGIN NEBULA X25519 PRIVATE KEY-----\nMSpe94xVhIULxtuiaL0bNujGjeGV3RrrbxvNMrHtcwA=\n"
                + "-----END NEBULA X25519 PRIVATE KEY-----\n";
        byte[] raw = X25519KeyPem.decodePrivateKey(pem.getBytes(StandardCharsets.US_ASCII));
        assertThat(raw).hasSize(32);
        assertThat(new String(X25519KeyPem.encodePrivateKey(raw), StandardCharsets.US_ASCII)).isEqualTo(pem);
    }

    @Property
    void roundTrips(@ForAll @Size(32) byte[] raw) {
        assertThat(X25519KeyPem.decodePrivateKey(X25519KeyPem.encodePrivateKey(raw))).isEqualTo(raw);
    }

    @Property
    void wrongLengthsAreRefused(@ForAll @Size(max = 80) byte[] raw) {
        if (raw.length == 32) {
            return;
        }
        assertThatThrownBy(() -> X25519KeyPem.encodePrivateKey(raw)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("32 bytes");
    }

    @Property
    void garbageIsRefusedCleanly(@ForAll String text) {
        try {
            assertThat(X25519KeyPem.decodePrivateKey(text.getBytes(StandardCharsets.UTF_8))).hasSize(32);
        } catch (ConfigurationException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    @Test
    void otherPemTypesAndBadBodiesAreRefused() {
        assertThatThrownBy(() -> X25519KeyPem.decodePrivateKey(
                "-----BEGIN NEBULA X25519 PUBLIC KEY-----\nAAAA\n-----END NEBULA X25519 PUBLIC KEY-----\n".getBytes()))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("no '-----BEGIN NEBULA X25519 PRIVATE KEY-----'");
        assertThatThrownBy(() -> X25519KeyPem.decodePrivateKey(
                "-----BEGIN NEBULA X25519 PRIVATE KEY-----\n!!!\n-----END NEBULA X25519 PRIVATE KEY-----\n".getBytes()))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("base64");
        assertThatThrownBy(() -> X25519KeyPem.decodePrivateKey(
                "-----BEGIN NEBULA X25519 PRIVATE KEY-----\nAAAA\n-----END NEBULA X25519 PRIVATE KEY-----\n".getBytes()))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("3 bytes");
    }
}
