package codes.temper.source;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.bcpg.ArmoredInputStream;
import org.bouncycastle.bcpg.BCPGInputStream;
import org.bouncycastle.openpgp.PGPMarker;
import org.bouncycastle.openpgp.PGPObjectFactory;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.api.OpenPGPImplementation;

/**
 * The bytes of a commit's signature header, typed and parsed. The type comes from the armor
 * header line before any parser sees the bytes, so an SSH or X.509 signature is refused as the
 * wrong type and never handed to the OpenPGP parser; an OpenPGP armor must hold exactly one
 * signature packet and nothing else.
 */
final class ArmoredSignature {

    static final String PGP_ARMOR = "-----BEGIN PGP SIGNATURE-----";
    static final String PGP_ARMOR_END = "-----END PGP SIGNATURE-----";
    static final String SSH_ARMOR = "-----BEGIN SSH SIGNATURE-----";
    static final String X509_ARMOR = "-----BEGIN SIGNED MESSAGE-----";
    private static final int MAX_SIGNATURE_BYTES = 64 * 1024;

    enum Type { OPENPGP, SSH, X509, UNKNOWN }

    /** Why the armor does not hold one OpenPGP signature; the message is for people. */
    static final class Malformed extends Exception {
        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    private ArmoredSignature() {
    }

    static Type typeOf(byte[] signature) {
        if (armorStartsWith(signature, SSH_ARMOR)) return Type.SSH;
        if (armorStartsWith(signature, X509_ARMOR)) return Type.X509;
        if (armorStartsWith(signature, PGP_ARMOR)) return Type.OPENPGP;
        return Type.UNKNOWN;
    }

    /** Exactly one OpenPGP signature packet inside exactly one armor block, nothing else. */
    static PGPSignature parse(byte[] armored, OpenPGPImplementation implementation) throws Malformed {
        if (armored.length > MAX_SIGNATURE_BYTES) {
            throw new Malformed("larger than " + MAX_SIGNATURE_BYTES + " bytes");
        }
        String text = new String(armored, StandardCharsets.US_ASCII);
        int end = text.indexOf(PGP_ARMOR_END);
        if (end < 0) {
            throw new Malformed("no " + PGP_ARMOR_END + " line");
        }
        if (!text.substring(end + PGP_ARMOR_END.length()).isBlank()) {
            throw new Malformed("data after the end of the armor");
        }
        byte[] packets;
        try (ArmoredInputStream in = ArmoredInputStream.builder().setIgnoreCRC(false)
                .build(new ByteArrayInputStream(armored))) {
            packets = in.readAllBytes();
        } catch (IOException | RuntimeException e) {
            throw new Malformed("bad armor (" + e.getClass().getSimpleName() + ")");
        }
        if (packets.length == 0) {
            throw new Malformed("empty armor");
        }
        List<Object> objects = new ArrayList<>();
        try {
            PGPObjectFactory factory = implementation.pgpObjectFactory(
                    new BCPGInputStream(new ByteArrayInputStream(packets)));
            Object next;
            while ((next = factory.nextObject()) != null) {
                objects.add(next);
            }
        } catch (IOException | RuntimeException e) {
            throw new Malformed("unreadable packets (" + e.getClass().getSimpleName() + ")");
        }
        objects.removeIf(o -> o instanceof PGPMarker);
        if (objects.size() != 1 || !(objects.getFirst() instanceof PGPSignatureList list)) {
            throw new Malformed("expected one signature packet, found " + describe(objects));
        }
        if (list.size() != 1) {
            throw new Malformed(list.size() + " signatures in one block; expected one");
        }
        return list.get(0);
    }

    private static String describe(List<Object> objects) {
        if (objects.isEmpty()) {
            return "none";
        }
        List<String> names = new ArrayList<>();
        for (Object o : objects) {
            names.add(o.getClass().getSimpleName());
        }
        return String.join(", ", names);
    }

    private static boolean armorStartsWith(byte[] data, String prefix) {
        byte[] p = prefix.getBytes(StandardCharsets.US_ASCII);
        if (!SignedCommit.startsWith(data, 0, p)) {
            return false;
        }
        // The armor header line must end there: "-----BEGIN PGP SIGNATURE-----X" is not it.
        return data.length == p.length || data[p.length] == '\n' || data[p.length] == '\r';
    }
}
