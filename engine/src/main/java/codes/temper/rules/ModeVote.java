package codes.temper.rules;

/** One reason for one mode; the mode with the best precedence among all votes wins. */
public record ModeVote(Mode mode, String reason) {
}
