package codes.temper.rules;

/**
 * A pod still waiting for a tier. The tier rules delete it when they decide, which cancels every
 * lower-precedence activation for the same pod: the first decision in precedence order wins.
 */
public record Candidate(PodFact pod) {
}
