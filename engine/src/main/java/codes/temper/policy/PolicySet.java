package codes.temper.policy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A whole, validated policy revision: exactly one TierPolicy and any number of NodePolicies.
 * Only ever built complete; there is no partially valid PolicySet.
 *
 * @param digest sha256 over the policy files' names inside the policy root and their bytes, so a
 *               plan is traceable even from a directory that is not a Git checkout, and the same
 *               content has the same digest however the root's path was written
 * @param notes  what was read but is not policy (a kustomization.yaml skipped), for people
 */
public record PolicySet(TierPolicy tierPolicy, List<Exclusion> exclusions, List<String> files, String digest, List<String> notes) {
    public PolicySet {
        exclusions = List.copyOf(exclusions);
        files = List.copyOf(files);
        notes = List.copyOf(notes);
    }

    /** The digest of a revision's policy files, in the order given. */
    static String digest(List<PolicyFile> files) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (PolicyFile f : files) {
                md.update(f.rootName().getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
                md.update(f.content());
                md.update((byte) 0);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
