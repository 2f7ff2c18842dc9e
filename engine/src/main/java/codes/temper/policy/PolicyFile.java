package codes.temper.policy;

/**
 * One policy file as read from a directory or a Git tree.
 *
 * @param name the path the user knows it by (as the policy root was written, or relative to the
 *             repository), used in every error
 */
public record PolicyFile(String name, byte[] content) {

    /**
     * The file's name inside the policy root. Both sources read only the root's top level, so it
     * is unique within a revision, and it does not change with how the root's path was written
     * ({@code policies}, {@code ./policies}, an absolute path).
     */
    public String rootName() {
        return name.substring(name.lastIndexOf('/') + 1);
    }
}
