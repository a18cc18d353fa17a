package dev.meshjoin.core.signing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Parses one HTTP/1.1 request from the bytes received so far: complete, incomplete (read more),
 * or refused. Bodies come with {@code Content-Length} or chunked; anything else with a body, and
 * any head that is not plain HTTP/1.x, is malformed. Sizes are checked before bytes are kept.
 */
final class HttpRequestParser {
    private HttpRequestParser() {
    }

    enum State { INCOMPLETE, COMPLETE, TOO_LARGE, HEAD_TOO_LARGE, MALFORMED }

    record Result(State state, String method, String path, Map<String, String> headers, byte[] body, String problem) {
        static Result of(State s) {
            return new Result(s, null, null, Map.of(), null, null);
        }

        static Result malformed(String problem) {
            return new Result(State.MALFORMED, null, null, Map.of(), null, problem);
        }
    }

    static Result parse(byte[] buf, int len, int maxBody) {
        int headEnd = indexOf(buf, len, 0);
        if (headEnd < 0) {
            return Result.of(len > BoundedHttpServer.MAX_HEAD_BYTES ? State.HEAD_TOO_LARGE : State.INCOMPLETE);
        }
        if (headEnd > BoundedHttpServer.MAX_HEAD_BYTES) {
            return Result.of(State.HEAD_TOO_LARGE);
        }
        String[] lines = new String(buf, 0, headEnd, StandardCharsets.ISO_8859_1).split("\r\n", -1);
        String[] start = lines[0].split(" ", -1);
        if (start.length != 3 || !start[2].matches("HTTP/1\\.[01]") || !start[0].matches("[A-Z]{1,16}")
                || !start[1].startsWith("/")) {
            return Result.malformed("not an HTTP/1.1 request line");
        }
        Map<String, String> headers = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                return Result.malformed("a header line has no name");
            }
            String name = lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = lines[i].substring(colon + 1).strip();
            if (headers.putIfAbsent(name, value) != null && (name.equals("content-length")
                    || name.equals("transfer-encoding"))) {
                return Result.malformed("the header " + name + " is repeated");
            }
        }
        int bodyAt = headEnd + 4;
        String path = start[1];
        String te = headers.get("transfer-encoding");
        String cl = headers.get("content-length");
        if (te != null && cl != null) {
            return Result.malformed("a request with both Content-Length and Transfer-Encoding is ambiguous");
        }
        if (te != null) {
            if (!te.equalsIgnoreCase("chunked")) {
                return Result.malformed("only chunked transfer encoding is understood");
            }
            return chunked(buf, len, bodyAt, maxBody, start[0], path, headers);
        }
        long length = 0;
        if (cl != null) {
            try {
                length = Long.parseLong(cl);
            } catch (NumberFormatException e) {
                return Result.malformed("Content-Length is not a number");
            }
            if (length < 0) {
                return Result.malformed("Content-Length is negative");
            }
        }
        if (length > maxBody) {
            return Result.of(State.TOO_LARGE);
        }
        if (len - bodyAt < length) {
            return Result.of(State.INCOMPLETE);
        }
        byte[] body = new byte[(int) length];
        System.arraycopy(buf, bodyAt, body, 0, body.length);
        return new Result(State.COMPLETE, start[0], path, headers, body, null);
    }

    private static Result chunked(byte[] buf, int len, int at, int maxBody, String method, String path,
                                  Map<String, String> headers) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int pos = at;
        while (true) {
            int lineEnd = indexOfCrlf(buf, len, pos);
            if (lineEnd < 0) {
                return Result.of(len - pos > 32 ? State.TOO_LARGE : State.INCOMPLETE);
            }
            String sizeText = new String(buf, pos, lineEnd - pos, StandardCharsets.ISO_8859_1).split(";", 2)[0].strip();
            long size;
            try {
                size = Long.parseLong(sizeText, 16);
            } catch (NumberFormatException e) {
                return Result.malformed("a chunk size is not hexadecimal");
            }
            if (size < 0 || body.size() + size > maxBody) {
                return Result.of(State.TOO_LARGE);
            }
            pos = lineEnd + 2;
            if (size == 0) {
                // No trailers are accepted: the final chunk ends with an empty line.
                if (len - pos < 2) {
                    return Result.of(State.INCOMPLETE);
                }
                if (buf[pos] != '\r' || buf[pos + 1] != '\n') {
                    return Result.malformed("chunked trailers are not accepted");
                }
                return new Result(State.COMPLETE, method, path, headers, body.toByteArray(), null);
            }
            if (len - pos < size + 2) {
                return Result.of(State.INCOMPLETE);
            }
            body.write(buf, pos, (int) size);
            pos += (int) size;
            if (buf[pos] != '\r' || buf[pos + 1] != '\n') {
                return Result.malformed("a chunk does not end with CRLF");
            }
            pos += 2;
        }
    }

    private static int indexOf(byte[] b, int len, int from) {
        for (int i = from; i + 3 < len; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static int indexOfCrlf(byte[] b, int len, int from) {
        for (int i = from; i + 1 < len; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }

    static String reasonPhrase(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 409 -> "Conflict";
            case 413 -> "Content Too Large";
            case 429 -> "Too Many Requests";
            case 431 -> "Request Header Fields Too Large";
            case 503 -> "Service Unavailable";
            default -> "Status";
        };
    }
}
