package dev.meshjoin.cli;

import dev.meshjoin.api.secret.SecretCodec;
import dev.meshjoin.api.secret.SecretValue;
import dev.meshjoin.core.secret.DefaultSecretCodec;
import dev.meshjoin.core.secret.SecretCodecs;
import dev.meshjoin.core.secret.SecretKeyring;
import dev.meshjoin.core.signing.NetworkSecretCredentials;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * {@code meshctl secret generate|seal|open}: {@code generate} prints a new network key, the best
 * network secret (256 random bits, so a node derives its verifier without PBKDF2 and joins faster);
 * {@code seal} and {@code open} seal the value on standard input, or open a sealed one, so an
 * operator can inspect or migrate a store by hand.
 *
 * <pre>
 * umask 077; meshctl secret generate > /etc/meshjoin/network.key   # then MESH_SECRET_FILE=/etc/meshjoin/network.key
 * printf %s "$value" | MESH_SECRET=... meshctl secret seal -codec default -aad mesh/prod/ca-key
 * meshctl secret open -codec fernet-legacy &lt; token.txt      # passphrase from VPN_ENCRYPTION_KEY
 * </pre>
 *
 * The passphrase comes from {@code MESH_SECRET} or {@code VPN_ENCRYPTION_KEY} (the original's name),
 * never from an argument, where other users could read it. The plaintext is taken and given back
 * byte for byte. A sealed value is text by default — urlsafe base64 for the default codec, the token
 * itself for Fernet — ending in a newline, and surrounding whitespace is ignored when it is read;
 * {@code -raw} reads and writes the exact bytes a store holds instead. The default codec's envelope
 * carries its salt, so {@code open} needs only the passphrase; {@code seal} uses {@code -salt} (the
 * network's salt, to match what nodes write) or a fresh random one.
 */
public final class SecretCommand implements Command {
    static final List<String> PASSPHRASE_VARIABLES = List.of("MESH_SECRET", "VPN_ENCRYPTION_KEY");

    @Override
    public String name() {
        return "secret";
    }

    @Override
    public String summary() {
        return "secret generate: a new network key (the best MESH_SECRET); secret seal|open: seal or open a value at rest";
    }

    private static Flags flags() {
        return new Flags("secret generate|seal|open")
                .string("codec", "codec: " + String.join(", ", SecretCodecs.NAMES), DefaultSecretCodec.NAME)
                .string("aad", "associated data: the store key the value belongs to")
                .string("salt", "seal only, default codec: the network's salt (urlsafe base64); default: a fresh random salt")
                .bool("raw", "the sealed value is the exact bytes a store holds, not text");
    }

    @Override
    public int run(Invocation invocation) throws IOException {
        Flags flags = flags();
        Flags.Parsed p = flags.parse(invocation.args());
        if (p.positional().size() == 1 && p.positional().get(0).equals("generate")) {
            return generate(invocation, p);
        }
        if (p.positional().size() != 1 || !List.of("seal", "open").contains(p.positional().get(0))) {
            throw new CliException("secret: say generate, seal or open, as in: meshctl secret generate, or"
                    + " meshctl secret seal -codec default < value", 2);
        }
        boolean seal = p.positional().get(0).equals("seal");
        String codecName = p.get("codec");
        if (!SecretCodecs.NAMES.contains(codecName)) {
            throw new CliException("secret: unknown -codec '" + Meshctl.oneLine(codecName) + "'; use one of "
                    + String.join(", ", SecretCodecs.NAMES), 2);
        }
        boolean isDefault = codecName.equals(DefaultSecretCodec.NAME);
        byte[] salt = null;
        if (p.isSet("salt")) {
            if (!seal || !isDefault) {
                throw new CliException("secret: -salt applies to seal with the default codec only"
                        + " (a sealed value carries its own salt)", 2);
            }
            salt = decodeSalt(p.get("salt"));
        } else if (isDefault) {
            // On open the envelope's salt is used; this one only matters for seal.
            salt = SecretKeyring.newSalt();
        }
        char[] passphrase = passphrase(invocation);
        SecretCodec codec = SecretCodecs.create(codecName, passphrase, salt);
        java.util.Arrays.fill(passphrase, '\0');
        byte[] aad = p.get("aad") == null ? null : p.get("aad").getBytes(StandardCharsets.UTF_8);
        byte[] input = invocation.in().readAllBytes();
        boolean raw = p.bool("raw");

        if (seal) {
            byte[] sealed = codec.seal(input, aad);
            if (raw) {
                invocation.out().write(sealed);
            } else {
                byte[] text = isDefault ? Base64.getUrlEncoder().encode(sealed) : sealed;
                invocation.out().write(text);
                invocation.out().write('\n');
            }
        } else {
            byte[] sealed = raw ? input : fromText(input, isDefault);
            invocation.out().write(codec.open(sealed, aad));
        }
        invocation.out().flush();
        return 0;
    }

    /** Prints a new network key on a line of its own; it takes no flags, and needs no secret to run. */
    private static int generate(Invocation invocation, Flags.Parsed p) throws IOException {
        for (String f : List.of("codec", "aad", "salt", "raw")) {
            if (p.isSet(f)) {
                throw new CliException("secret generate: -" + f + " applies to seal and open only", 2);
            }
        }
        char[] key = NetworkSecretCredentials.generateKey();
        byte[] line = new byte[key.length + 1];
        for (int i = 0; i < key.length; i++) {
            line[i] = (byte) key[i]; // the key is ASCII
        }
        line[key.length] = '\n';
        java.util.Arrays.fill(key, '\0');
        invocation.out().write(line);
        invocation.out().flush();
        java.util.Arrays.fill(line, (byte) 0);
        return 0;
    }

    /** The passphrase from the environment or its file; refuses when it is missing, empty or ambiguous. */
    static char[] passphrase(Invocation invocation) {
        Optional<SecretValue> mesh = invocation.secrets().read("MESH_SECRET");
        Optional<SecretValue> vpn = invocation.secrets().read("VPN_ENCRYPTION_KEY");
        if (mesh.isEmpty() && vpn.isEmpty()) {
            throw new CliException("secret: set MESH_SECRET (or VPN_ENCRYPTION_KEY) to the network secret, or put it"
                    + " in a file and set MESH_SECRET_FILE to its path");
        }
        if (mesh.isPresent() && vpn.isPresent() && !mesh.get().sameAs(vpn.get())) {
            throw new CliException("secret: MESH_SECRET and VPN_ENCRYPTION_KEY are both set and differ; unset one");
        }
        SecretValue value = mesh.orElseGet(vpn::get);
        if (value.isEmpty()) {
            throw new CliException("secret: " + value.origin() + " is empty; an empty passphrase protects nothing");
        }
        value.warnings().forEach(w -> Meshctl.warn(invocation.err(), "secret", w));
        return value.chars();
    }

    private static byte[] fromText(byte[] input, boolean base64) {
        String text = new String(input, StandardCharsets.US_ASCII).strip();
        if (!base64) {
            return text.getBytes(StandardCharsets.US_ASCII);
        }
        try {
            return Base64.getUrlDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new CliException("secret: the input is not a sealed value in urlsafe base64;"
                    + " use -raw for the exact bytes read from a store");
        }
    }

    private static byte[] decodeSalt(String text) {
        try {
            return Base64.getUrlDecoder().decode(text.strip());
        } catch (IllegalArgumentException e) {
            throw new CliException("secret: -salt is not urlsafe base64", 2);
        }
    }
}
