package dev.meshjoin.nebula.cert;

import dev.meshjoin.api.ca.InvalidCertificateException;
import dev.meshjoin.api.ca.InvalidCertificateException.Reason;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The few protobuf wire-format operations a Nebula v1 certificate needs. Writing follows the
 * canonical proto3 rules of Go's marshaller (fields in number order, defaults left out, repeated
 * scalars packed), because Nebula verifies a signature over its own re-encoding of the parsed
 * fields. Reading accepts what a proto3 parser accepts and refuses everything else with
 * {@link InvalidCertificateException} ({@code MALFORMED}).
 */
final class Proto {
    static final int VARINT = 0;
    static final int I64 = 1;
    static final int LEN = 2;
    static final int I32 = 5;

    private Proto() {
    }

    /** Appends fields to a growing buffer. */
    static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream(256);

        void tag(int field, int wireType) {
            varint(((long) field << 3) | wireType);
        }

        void varint(long value) {
            while ((value & ~0x7fL) != 0) {
                out.write((int) ((value & 0x7f) | 0x80));
                value >>>= 7;
            }
            out.write((int) value);
        }

        /** A string field; proto3 leaves out the empty string. */
        void string(int field, String value) {
            if (!value.isEmpty()) {
                bytes(field, value.getBytes(StandardCharsets.UTF_8));
            }
        }

        /** One element of a repeated string field: always written, even when empty. */
        void repeatedString(int field, String value) {
            lengthDelimited(field, value.getBytes(StandardCharsets.UTF_8));
        }

        /** A bytes field; proto3 leaves out empty bytes. */
        void bytes(int field, byte[] value) {
            if (value.length > 0) {
                lengthDelimited(field, value);
            }
        }

        /** An embedded message or other length-delimited value, written even when empty. */
        void lengthDelimited(int field, byte[] value) {
            tag(field, LEN);
            varint(value.length);
            out.writeBytes(value);
        }

        /** An int64 field; proto3 leaves out zero. Negative values take ten bytes, as in Go. */
        void int64(int field, long value) {
            if (value != 0) {
                tag(field, VARINT);
                varint(value);
            }
        }

        void bool(int field, boolean value) {
            if (value) {
                tag(field, VARINT);
                varint(1);
            }
        }

        /** A packed repeated uint32 field; left out when empty. */
        void packedUint32(int field, int[] values) {
            if (values.length == 0) {
                return;
            }
            Writer inner = new Writer();
            for (int v : values) {
                inner.varint(Integer.toUnsignedLong(v));
            }
            lengthDelimited(field, inner.toByteArray());
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }
    }

    /** Reads fields one by one from a byte range. */
    static final class Reader {
        private final byte[] buf;
        private int pos;
        private final int end;
        private final String what;

        Reader(byte[] buf, String what) {
            this(buf, 0, buf.length, what);
        }

        private Reader(byte[] buf, int from, int to, String what) {
            this.buf = buf;
            this.pos = from;
            this.end = to;
            this.what = what;
        }

        boolean hasMore() {
            return pos < end;
        }

        long varint() {
            long result = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= end) {
                    throw malformed(what + " ends inside a varint");
                }
                int b = buf[pos++] & 0xff;
                if (shift == 63 && b > 1) {
                    throw malformed(what + " holds a varint longer than 64 bits");
                }
                result |= (long) (b & 0x7f) << shift;
                if (b < 0x80) {
                    return result;
                }
            }
            throw malformed(what + " holds a varint longer than 10 bytes");
        }

        /** Reads a tag and returns it as (field << 3 | wire type). */
        long tag() {
            long tag = varint();
            long field = tag >>> 3;
            if (field < 1 || field > 0x1fffffffL) {
                throw malformed(what + " holds an invalid field number " + field);
            }
            return tag;
        }

        byte[] lengthDelimited() {
            long len = varint();
            if (len < 0 || len > end - pos) {
                throw malformed(what + " holds a field longer than the remaining " + (end - pos) + " bytes");
            }
            byte[] value = Arrays.copyOfRange(buf, pos, pos + (int) len);
            pos += (int) len;
            return value;
        }

        String string(String field) {
            byte[] raw = lengthDelimited();
            try {
                return StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(raw)).toString();
            } catch (CharacterCodingException e) {
                throw malformed(what + " field " + field + " is not valid UTF-8");
            }
        }

        /** Skips a field of a type this parser does not know, as proto3 does. */
        void skip(int wireType) {
            switch (wireType) {
                case VARINT -> varint();
                case I64 -> advance(8);
                case LEN -> lengthDelimited();
                case I32 -> advance(4);
                default -> throw malformed(what + " holds an unsupported wire type " + wireType);
            }
        }

        private void advance(int n) {
            if (n > end - pos) {
                throw malformed(what + " ends inside a fixed-size field");
            }
            pos += n;
        }

        /** A uint32 value, refusing varints that do not fit rather than truncating them silently. */
        int uint32(String field) {
            long v = varint();
            if ((v & 0xffffffff00000000L) != 0) {
                throw malformed(what + " field " + field + " holds a value above 32 bits");
            }
            return (int) v;
        }
    }

    static InvalidCertificateException malformed(String message) {
        return new InvalidCertificateException(Reason.MALFORMED, message);
    }
}
