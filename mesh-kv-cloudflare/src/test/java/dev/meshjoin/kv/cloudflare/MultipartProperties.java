package dev.meshjoin.kv.cloudflare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshjoin.testkit.cloudflare.MultipartFormData;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

/** The multipart body the store sends is read back byte for byte by the local server's parser. */
class MultipartProperties {

    @Property
    void valueAndMetadataRoundTrip(@ForAll @Size(max = 2048) byte[] value, @ForAll @Size(max = 300) byte[] metadata) {
        Multipart m = new Multipart().file("value", value).json("metadata", metadata);
        Map<String, byte[]> parsed = MultipartFormData.parse(m.contentType(), m.body());
        assertThat(parsed).containsOnlyKeys("value", "metadata");
        assertThat(parsed.get("value")).isEqualTo(value);
        assertThat(parsed.get("metadata")).isEqualTo(metadata);
        // The value travels as a file part (stored as bytes), the metadata as application/json.
        String head = new String(m.body(), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(head).contains("name=\"value\"; filename=\"value\"\r\nContent-Type: application/octet-stream")
                .contains("name=\"metadata\"\r\nContent-Type: application/json");
    }

    @Property
    void valuesThatLookLikeMultipartSyntaxSurvive(@ForAll @Size(max = 50) byte[] noise) {
        byte[] tricky = ("\r\n--meshjoin-\r\n--\r\n\r\nContent-Disposition: form-data; name=\"value\"\r\n\r\n"
                + new String(noise, java.nio.charset.StandardCharsets.ISO_8859_1))
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        Multipart m = new Multipart().file("value", tricky);
        assertThat(MultipartFormData.parse(m.contentType(), m.body()).get("value")).isEqualTo(tricky);
    }

    @Property
    void malformedBodiesAreRefusedWithIllegalArgument(@ForAll @Size(max = 400) byte[] garbage) {
        // Either a clean parse or IllegalArgumentException; never another exception.
        try {
            MultipartFormData.parse("multipart/form-data; boundary=b0undary", garbage);
        } catch (IllegalArgumentException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    @Property
    void truncatedBodiesAreRefused(@ForAll @Size(min = 1, max = 200) byte[] value) {
        Multipart m = new Multipart().file("value", value);
        byte[] body = m.body();
        byte[] cut = java.util.Arrays.copyOf(body, body.length - 12 - value.length / 2);
        assertThatThrownBy(() -> MultipartFormData.parse(m.contentType(), cut))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
