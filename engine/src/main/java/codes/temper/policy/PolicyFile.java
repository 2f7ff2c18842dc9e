package codes.temper.policy;

/**
 * One policy file as read from a directory or a Git tree.
 *
 * @param name the path the user knows it by (relative to the policy root), used in every error
 */
public record PolicyFile(String name, byte[] content) {
}
