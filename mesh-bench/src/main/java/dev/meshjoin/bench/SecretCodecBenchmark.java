package dev.meshjoin.bench;

import dev.meshjoin.api.secret.SecretCodec;
import dev.meshjoin.core.secret.SecretCodecs;
import dev.meshjoin.core.secret.SecretKeyring;
import dev.meshjoin.core.secret.FernetCodec;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Seal and open throughput of the secret codecs for one value, single-threaded, in operations per
 * second. {@code default} is AES-256-GCM with a passphrase-derived key (the Argon2id derivation
 * runs once in setup and is cached, as in a running node); {@code fernet} is AES-128-CBC with
 * HMAC-SHA256 and base64. Multiply by {@code size} for bytes per second.
 *
 * <pre>
 * java -cp "mesh-bench/target/mesh-bench-0.1.0-SNAPSHOT.jar:mesh-bench/target/lib/*" \
 *     org.openjdk.jmh.Main SecretCodecBenchmark -f 1 -wi 3 -w 2s -i 5 -r 2s
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class SecretCodecBenchmark {
    @Param({"default", "fernet"})
    public String codec;

    @Param({"1024"})
    public int size;

    private SecretCodec c;
    private byte[] plaintext;
    private byte[] sealed;
    private byte[] aad;

    @Setup
    public void setUp() {
        c = codec.equals("default")
                ? SecretCodecs.create("default", "benchmark network secret".toCharArray(), SecretKeyring.newSalt())
                : SecretCodecs.create("fernet", FernetCodec.generateKey().toCharArray(), null);
        aad = codec.equals("default") ? "mesh/bench/value".getBytes(StandardCharsets.UTF_8) : null;
        plaintext = new byte[size];
        new SplittableRandom(1).nextBytes(plaintext);
        sealed = c.seal(plaintext, aad);
    }

    @Benchmark
    public byte[] seal() {
        return c.seal(plaintext, aad);
    }

    @Benchmark
    public byte[] open() {
        return c.open(sealed, aad);
    }
}
