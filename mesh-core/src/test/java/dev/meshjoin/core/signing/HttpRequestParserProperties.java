package dev.meshjoin.core.signing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** The signing server's request parser: any bytes give a verdict, and a request is whole only when all of it came. */
class HttpRequestParserProperties {
    private static final int MAX = 4096;

    @Property
    void anyBytesGiveAVerdictAndNeverThrow(@ForAll @Size(max = 2000) byte[] bytes) {
        HttpRequestParser.Result r = HttpRequestParser.parse(bytes, bytes.length, MAX);
        assertThat(r.state()).isNotNull();
        if (r.state() == HttpRequestParser.State.COMPLETE) {
            assertThat(r.body().length).isLessThanOrEqualTo(MAX);
        }
    }

    @Property(tries = 300)
    void aRequestIsIncompleteUntilItsLastByteThenCompleteWithItsBody(@ForAll("smallBodies") byte[] body,
                                                                   @ForAll boolean chunked,
                                                                   @ForAll @IntRange(min = 1, max = 50) int chunk) {
        byte[] req = request(body, chunked, chunk);
        for (int cut = 0; cut < req.length; cut++) {
            assertThat(HttpRequestParser.parse(req, cut, MAX).state()).as("cut at %d of %d", cut, req.length)
                    .isEqualTo(HttpRequestParser.State.INCOMPLETE);
        }
        HttpRequestParser.Result r = HttpRequestParser.parse(req, req.length, MAX);
        assertThat(r.state()).isEqualTo(HttpRequestParser.State.COMPLETE);
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.path()).isEqualTo("/v1/join");
        assertThat(r.body()).isEqualTo(body);
    }

    @Property
    void aBodyOverTheLimitIsRefusedBeforeItArrives(@ForAll @IntRange(min = MAX + 1, max = 3 * MAX) int size,
                                                   @ForAll boolean chunked) {
        byte[] req = request(new byte[size], chunked, 1000);
        // Only the head and the first chunk's size line are needed to refuse it.
        int headEnd = new String(req, StandardCharsets.ISO_8859_1).indexOf("\r\n\r\n") + 4;
        int enough = chunked ? Math.min(req.length, headEnd + 5 * 1006) : headEnd;
        assertThat(HttpRequestParser.parse(req, enough, MAX).state()).isEqualTo(HttpRequestParser.State.TOO_LARGE);
    }

    @Property
    void ambiguousFramingIsMalformed(@ForAll("bodies") byte[] body) {
        String head = "POST /v1/join HTTP/1.1\r\nContent-Length: " + body.length
                + "\r\nTransfer-Encoding: chunked\r\n\r\n";
        byte[] req = concat(head.getBytes(StandardCharsets.US_ASCII), body);
        assertThat(HttpRequestParser.parse(req, req.length, MAX).state()).isEqualTo(HttpRequestParser.State.MALFORMED);
        String twice = "POST /v1/join HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab";
        byte[] t = twice.getBytes(StandardCharsets.US_ASCII);
        assertThat(HttpRequestParser.parse(t, t.length, MAX).state()).isEqualTo(HttpRequestParser.State.MALFORMED);
    }

    @Provide
    Arbitrary<byte[]> smallBodies() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
    }

    @Provide
    Arbitrary<byte[]> bodies() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(MAX);
    }

    private static byte[] request(byte[] body, boolean chunked, int chunk) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String head = "POST /v1/join HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + (chunked ? "Transfer-Encoding: chunked" : "Content-Length: " + body.length) + "\r\n\r\n";
        out.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
        if (!chunked) {
            out.writeBytes(body);
        } else {
            for (int at = 0; at < body.length; at += chunk) {
                int n = Math.min(chunk, body.length - at);
                out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body, at, n);
                out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
