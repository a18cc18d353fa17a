package dev.meshjoin.kv.cloudflare;

import dev.meshjoin.core.secret.SecretCodecs;
import dev.meshjoin.testkit.ca.TestDoubleCertificateAuthorityProvider;
import dev.meshjoin.testkit.cloudflare.LocalKvServer;
import dev.meshjoin.testkit.harness.MeshHarness;
import java.time.Duration;

/** Meshes whose nodes keep their state in Workers KV, at the local KV server. */
final class KvMeshes {
    static final String TOKEN = "kv-token";

    private KvMeshes() {
    }

    /**
     * A harness whose nodes open a {@link CloudflareKvStore} declaring {@code bound}; with
     * {@code ownLocations} each node talks to a Cloudflare location of its own.
     */
    static MeshHarness harness(LocalKvServer kv, Duration bound, boolean ownLocations, Duration joinTimeout) {
        return MeshHarness.builder()
                .storeFactory(name -> CloudflareKvStore.builder()
                        .baseUrl(ownLocations ? kv.baseUrl(name) : kv.baseUrl()).accountId(kv.accountId())
                        .namespaceId(kv.namespaceId()).apiToken(TOKEN).propagationBound(bound).build())
                .caProvider(new TestDoubleCertificateAuthorityProvider())
                .caKeyCodec(SecretCodecs.passphrase("kv-ca-passphrase".toCharArray()))
                .joinTimeout(joinTimeout).build();
    }
}
