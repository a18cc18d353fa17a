package dev.meshjoin.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The README shows what compiles: the embedding sample is {@link EmbeddedJoin}'s code to the
 * character, and the Maven snippet names artifacts this build makes, at this build's version.
 * {@code FreshProjectIT} (module meshjoin) then builds both in a new project and founds a mesh.
 */
class EmbeddedJoinTest {

    private static Path root() {
        Path root = Path.of("").toAbsolutePath();
        while (!Files.exists(root.resolve("mvnw"))) {
            root = root.getParent();
        }
        return root;
    }

    /** The code between the markers, dedented as the README shows it. */
    static String sample(Path root) throws IOException {
        String source = Files.readString(root.resolve("examples/src/main/java/dev/meshjoin/examples/EmbeddedJoin.java"));
        String sample = source.substring(source.indexOf("// README:begin") + "// README:begin".length(),
                source.indexOf("        // README:end"));
        return Arrays.stream(sample.strip().split("\n"))
                .map(l -> l.startsWith("        ") ? l.substring(8) : l).collect(Collectors.joining("\n"));
    }

    @Test
    void theReadmeShowsExactlyTheSampleThatCompiles() throws IOException {
        Path root = root();
        String sample = sample(root);
        assertThat(sample).contains("MeshJoin.builder()").contains(".store(\"file:").contains(".networkSecret(secret)");
        assertThat(Files.readString(root.resolve("README.md"))).contains(sample);
    }

    @Test
    void theReadmesMavenSnippetImportsTheBomAndDependsOnMeshjoinAtThisVersion() throws IOException {
        Path root = root();
        String readme = Files.readString(root.resolve("README.md"));
        Matcher xml = Pattern.compile("```xml\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertThat(xml.find()).as("a Maven snippet in the README").isTrue();
        String snippet = xml.group(1);
        String version = version(Files.readString(root.resolve("pom.xml")));
        assertThat(snippet.replaceAll("\\s+", " "))
                .contains("<groupId>dev.meshjoin</groupId> <artifactId>mesh-bom</artifactId> <version>" + version
                        + "</version> <type>pom</type> <scope>import</scope>")
                .contains("<groupId>dev.meshjoin</groupId> <artifactId>meshjoin</artifactId> </dependency>");
        assertThat(Files.readString(root.resolve("mesh-bom/pom.xml")))
                .contains("<artifactId>meshjoin</artifactId><version>" + version + "</version>");
        assertThat(readme).contains("SLF4J");
    }

    private static String version(String pom) {
        Matcher m = Pattern.compile("<artifactId>meshjoin-parent</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        assertThat(m.find()).isTrue();
        return m.group(1);
    }
}
