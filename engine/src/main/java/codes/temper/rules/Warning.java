package codes.temper.rules;

/** Something an operator should know that does not change the decision's validity. */
public record Warning(String message) {
}
