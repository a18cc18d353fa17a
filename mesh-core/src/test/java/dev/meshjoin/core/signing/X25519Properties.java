package dev.meshjoin.core.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import javax.crypto.KeyAgreement;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

/** The join protocol's X25519 agrees with the JDK's XDH (RFC 7748) for any keys, and refuses low-order points. */
class X25519Properties {

    private static byte[] jdk(byte[] privateKey, byte[] publicKey) throws Exception {
        KeyFactory kf = KeyFactory.getInstance("XDH");
        PrivateKey priv = kf.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, privateKey));
        byte[] be = new byte[32];
        for (int i = 0; i < 32; i++) {
            be[i] = publicKey[31 - i];
        }
        be[0] &= 0x7f;
        PublicKey pub = kf.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, new BigInteger(1, be)));
        KeyAgreement ka = KeyAgreement.getInstance("XDH");
        ka.init(priv);
        try {
            ka.doPhase(pub, true);
            return ka.generateSecret();
        } catch (java.security.InvalidKeyException lowOrder) {
            return new byte[32]; // the JDK refuses a small-order point outright; it would give all zeros
        }
    }

    @Property(tries = 100)
    void agreesWithTheJdkForAnyScalarAndPoint(@ForAll @Size(32) byte[] scalar, @ForAll @Size(32) byte[] point)
            throws Exception {
        byte[] expected = jdk(scalar, point);
        if (java.util.Arrays.equals(expected, new byte[32])) {
            assertThatThrownBy(() -> SigningCrypto.x25519(scalar, point)).hasMessageContaining("low order");
        } else {
            assertThat(SigningCrypto.x25519(scalar, point)).isEqualTo(expected);
        }
    }

    @Property(tries = 50)
    void bothSidesOfAnExchangeAgreeAndThePublicKeyIsTheJdksToo(@ForAll @Size(32) byte[] seedA, @ForAll @Size(32) byte[] seedB)
            throws Exception {
        byte[] nine = new byte[32];
        nine[0] = 9;
        byte[] a = seedA.clone();
        byte[] b = seedB.clone();
        byte[] pubA = SigningCrypto.x25519Base(a);
        byte[] pubB = SigningCrypto.x25519Base(b);
        assertThat(pubA).isEqualTo(jdk(a, nine));
        assertThat(SigningCrypto.x25519(a, pubB)).isEqualTo(SigningCrypto.x25519(b, pubA));
    }

    @Property(tries = 1)
    void rfc7748sVectorAndALowOrderPoint() {
        // RFC 7748 section 5.2, the first test vector.
        java.util.HexFormat hex = java.util.HexFormat.of();
        byte[] k = hex.parseHex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4");
        byte[] u = hex.parseHex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c");
        assertThat(hex.formatHex(SigningCrypto.x25519(k, u)))
                .isEqualTo("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
        assertThatThrownBy(() -> SigningCrypto.x25519(k, new byte[32])).hasMessageContaining("low order");
    }
}
