package codes.temper.sched;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A minimal reader of the raw BTF format (as {@code /sys/kernel/btf/vmlinux} serves it): the
 * header, the type section and the string section, and only what it takes to find a struct by
 * name and list its members' names. No libbpf, so it answers where the agent cannot load one and
 * tests can feed it synthetic blobs. Every offset and length is checked against the blob before
 * it is used: a truncated or corrupt blob is refused with {@link Malformed}, never read past.
 */
public final class KernelBtf {
    public static final int MAGIC = 0xEB9F;
    /** The header the format defines (version 1): magic, version, flags, hdr_len, 4 offsets/lengths. */
    static final int HEADER_LEN = 24;
    static final int KIND_STRUCT = 4, KIND_UNION = 5;
    /** Kinds this reader knows the trailing data of; a higher kind is a format this reader cannot walk. */
    static final int MAX_KIND = 19;

    /** The blob is not BTF this reader can walk; the message says where it went wrong. */
    public static final class Malformed extends Exception {
        Malformed(String message) {
            super(message);
        }
    }

    private final ByteBuffer buf;
    private final int typeStart, typeEnd, strStart, strEnd;

    private KernelBtf(ByteBuffer buf, int typeStart, int typeEnd, int strStart, int strEnd) {
        this.buf = buf;
        this.typeStart = typeStart;
        this.typeEnd = typeEnd;
        this.strStart = strStart;
        this.strEnd = strEnd;
    }

    /** Checks the header and the sections' bounds; the types are walked by {@link #structMembers}. */
    public static KernelBtf parse(byte[] blob) throws Malformed {
        if (blob.length < HEADER_LEN) throw new Malformed(blob.length + " bytes: shorter than a BTF header (" + HEADER_LEN + ")");
        ByteBuffer b = ByteBuffer.wrap(blob);
        // The magic is written in the producer's byte order: it tells which order the rest is in.
        int m = Short.toUnsignedInt(b.order(ByteOrder.LITTLE_ENDIAN).getShort(0));
        if (m != MAGIC) {
            b.order(ByteOrder.BIG_ENDIAN);
            if (Short.toUnsignedInt(b.getShort(0)) != MAGIC) throw new Malformed(String.format("magic 0x%04x, not 0x%04x", m, MAGIC));
        }
        int version = Byte.toUnsignedInt(b.get(2));
        if (version != 1) throw new Malformed("BTF version " + version + ", this reader knows 1");
        long hdrLen = Integer.toUnsignedLong(b.getInt(4));
        long typeOff = Integer.toUnsignedLong(b.getInt(8)), typeLen = Integer.toUnsignedLong(b.getInt(12));
        long strOff = Integer.toUnsignedLong(b.getInt(16)), strLen = Integer.toUnsignedLong(b.getInt(20));
        if (hdrLen < HEADER_LEN || hdrLen > blob.length) throw new Malformed("header length " + hdrLen + " outside " + HEADER_LEN + ".." + blob.length);
        long ts = hdrLen + typeOff, te = ts + typeLen, ss = hdrLen + strOff, se = ss + strLen;
        if (te > blob.length) throw new Malformed("type section [" + ts + ", " + te + ") past the end (" + blob.length + " bytes)");
        if (se > blob.length) throw new Malformed("string section [" + ss + ", " + se + ") past the end (" + blob.length + " bytes)");
        if (strLen == 0 || blob[(int) ss] != 0) throw new Malformed("string section does not start with the empty string");
        return new KernelBtf(b, (int) ts, (int) te, (int) ss, (int) se);
    }

    /** A struct member: its name and where it starts, in bits from the struct's start. */
    public record Member(String name, long bitOffset) {}

    /** A struct: its size in bytes and its members in declaration order. */
    public record Struct(long size, List<Member> members) {}

    /**
     * The member names of the first struct called {@code name}, in declaration order; empty when
     * no struct has that name.
     */
    public Optional<List<String>> structMembers(String name) throws Malformed {
        return struct(name).map(st -> st.members().stream().map(Member::name).toList());
    }

    /** The first struct called {@code name}, with its members' offsets; empty when there is none. */
    public Optional<Struct> struct(String name) throws Malformed {
        int p = typeStart;
        int id = 1;
        while (p < typeEnd) {
            need(p, 12, id);
            int nameOff = buf.getInt(p), info = buf.getInt(p + 4);
            int vlen = info & 0xffff, kind = (info >>> 24) & 0x1f;
            int extra = switch (kind) {
                case 1, 14, 17 -> 4;                  // INT, VAR, DECL_TAG
                case 3 -> 12;                         // ARRAY
                case 4, 5, 15, 19 -> 12 * vlen;       // STRUCT, UNION, DATASEC, ENUM64
                case 6, 13 -> 8 * vlen;               // ENUM, FUNC_PROTO
                case 2, 7, 8, 9, 10, 11, 12, 16, 18 -> 0;
                default -> throw new Malformed("type " + id + " at byte " + p + ": kind " + kind + " unknown (this reader knows 1.." + MAX_KIND + ")");
            };
            need(p + 12, extra, id);
            if (kind == KIND_STRUCT && name.equals(string(nameOff, id))) {
                // With kind_flag set the offset word holds a bitfield's size in its top 8 bits.
                boolean kindFlag = (info >>> 31) != 0;
                List<Member> members = new ArrayList<>(vlen);
                for (int i = 0; i < vlen; i++) {
                    int at = p + 12 + 12 * i;
                    long off = Integer.toUnsignedLong(buf.getInt(at + 8));
                    members.add(new Member(string(buf.getInt(at), id), kindFlag ? off & 0xffffff : off));
                }
                return Optional.of(new Struct(Integer.toUnsignedLong(buf.getInt(p + 8)), List.copyOf(members)));
            }
            p += 12 + extra;
            id++;
        }
        return Optional.empty();
    }

    private void need(int at, int bytes, int id) throws Malformed {
        if (bytes < 0 || (long) at + bytes > typeEnd) {
            throw new Malformed("type " + id + " at byte " + at + " runs past the type section's end (" + typeEnd + ")");
        }
    }

    private String string(int off, int id) throws Malformed {
        long start = strStart + Integer.toUnsignedLong(off);
        if (start >= strEnd) throw new Malformed("type " + id + ": name offset " + Integer.toUnsignedLong(off) + " outside the string section");
        int end = (int) start;
        while (end < strEnd && buf.get(end) != 0) end++;
        if (end == strEnd) throw new Malformed("type " + id + ": name at offset " + off + " is not NUL-terminated");
        byte[] s = new byte[end - (int) start];
        buf.get((int) start, s);
        return new String(s, StandardCharsets.UTF_8);
    }
}
