package dev.meshjoin.core.secret;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshjoin.api.ConfigurationException;
import dev.meshjoin.api.secret.SecretCodec;
import dev.meshjoin.api.secret.SecretCodecException;
import org.junit.jupiter.api.Test;

class SecretCodecsTest {

    @Test
    void everyNameMakesItsCodec() {
        byte[] salt = SecretKeyring.newSalt();
        SecretCodec d = SecretCodecs.create("default", "pw".toCharArray(), salt);
        assertThat(d).isInstanceOf(DefaultSecretCodec.class);
        assertThat(d.name()).isEqualTo("default");

        String k1 = FernetCodec.generateKey();
        String k2 = FernetCodec.generateKey();
        SecretCodec f = SecretCodecs.create("fernet", (k1 + "," + k2).toCharArray(), null);
        assertThat(f.name()).isEqualTo("fernet");
        byte[] underK2 = FernetCodec.builder().current(k2).build().seal("x".getBytes(UTF_8), null);
        assertThat(f.open(underK2, null)).containsExactly('x');
        assertThat(f.currentKeyId()).isEqualTo(FernetCodec.builder().current(k1).build().currentKeyId());
        assertThatThrownBy(() -> f.seal("x".getBytes(UTF_8), "k".getBytes(UTF_8))).isInstanceOf(SecretCodecException.class);

        SecretCodec legacy = SecretCodecs.create("fernet-legacy", "correct horse battery staple".toCharArray(), null);
        assertThat(legacy.name()).isEqualTo("fernet-legacy");
        assertThat(((FernetCodec) legacy).unboundAssociatedData()).isTrue();
        byte[] token = legacy.seal("v".getBytes(UTF_8), "any/key".getBytes(UTF_8));
        FernetCodec byKey = FernetCodec.builder().current("p5FpzvkoBKdU3n_zKnuck95p-841XAni5HCLsXQGpcI=").build();
        assertThat(byKey.open(token, null)).containsExactly('v');
    }

    @Test
    void badConfigurationIsRefusedWithTheAcceptedValues() {
        assertThatThrownBy(() -> SecretCodecs.create("rot13", "pw".toCharArray(), null))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("[default, fernet, fernet-legacy]");
        assertThatThrownBy(() -> SecretCodecs.create("default", "pw".toCharArray(), null))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("salt");
        assertThatThrownBy(() -> SecretCodecs.create("default", new char[0], SecretKeyring.newSalt()))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("non-empty");
        assertThatThrownBy(() -> SecretCodecs.create("fernet", "not a key".toCharArray(), null))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("32 bytes");
    }
}
