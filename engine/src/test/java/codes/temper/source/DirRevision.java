package codes.temper.source;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeSet;

/**
 * A policy directory's revision as the docs define it, computed here independently of the code
 * under test: sha256 over each file's name inside the directory and its bytes, in name order,
 * each followed by a NUL.
 */
public final class DirRevision {
    private DirRevision() {
    }

    /** @param files file name -> content */
    public static String of(Map<String, String> files) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (String name : new TreeSet<>(files.keySet())) {
            md.update(name.getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            md.update(files.get(name).getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
        }
        return "dir@sha256:" + HexFormat.of().formatHex(md.digest());
    }
}
