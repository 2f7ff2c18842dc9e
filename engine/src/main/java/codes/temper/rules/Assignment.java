package codes.temper.rules;

/**
 * A pod placed in a tier.
 *
 * @param rule    the DRL rule that decided
 * @param because which part of the policy made it so (for example "critical.match[0]: priority >= 1000000")
 */
public record Assignment(PodFact pod, String tier, int rank, String rule, String because) {
}
