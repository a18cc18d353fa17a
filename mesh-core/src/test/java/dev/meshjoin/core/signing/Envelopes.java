package dev.meshjoin.core.signing;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Builds join envelopes by hand, sealed to a fixture's service key, with any inner text. */
final class Envelopes {
    private Envelopes() {
    }

    static byte[] sealed(SigningFixture f, String innerJson, long timestamp) {
        HttpSigningServer server = (HttpSigningServer) f.server;
        byte[] servicePublic = server.serviceCertificate().publicKey();
        String fp = server.serviceCertificate().fingerprint();
        byte[][] eph = SigningCrypto.x25519KeyPair();
        byte[] nonce = SigningCrypto.random(16);
        byte[] keys = Wire.exchangeKeys(SigningCrypto.x25519(eph[0], servicePublic), nonce, eph[1], servicePublic,
                SigningFixture.NETWORK);
        byte[] sealed = SigningCrypto.seal(Arrays.copyOf(keys, 32), innerJson.getBytes(StandardCharsets.UTF_8),
                Wire.requestAad(SigningFixture.NETWORK, timestamp, nonce, fp));
        return Wire.write(new Wire.Envelope(1, SigningFixture.NETWORK, fp, Wire.b64(eph[1]), Wire.b64(nonce), timestamp,
                Wire.b64(sealed)));
    }

    static String fingerprint(SigningFixture f) {
        return ((HttpSigningServer) f.server).serviceCertificate().fingerprint();
    }
}
