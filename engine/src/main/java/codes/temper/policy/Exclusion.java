package codes.temper.policy;

/** A NodePolicy rule that keeps Temper off the nodes its selector matches. */
public record Exclusion(String policy, String name, LabelSelector nodeSelector, String reason) {
}
