package codes.temper.controller;

import java.util.List;

/** The node annotations the controller reads and writes. The agent reads only the first. */
final class SafeModeAnnotations {

    static final String REQUESTED = codes.temper.rules.NodeFact.SAFE_MODE_ANNOTATION;
    static final String REASON = "temper.codes/safe-mode-reason";
    /**
     * Ownership marker. A safe-mode request without it was made by someone else (an operator's
     * {@code kubectl annotate}), and the controller never changes or removes it.
     */
    static final String REQUESTED_BY = "temper.codes/safe-mode-requested-by";
    static final String OWNER_PREFIX = "controller/";

    static final List<String> ALL = List.of(REQUESTED, REASON, REQUESTED_BY);

    static String owner(String policy, String rule) {
        return OWNER_PREFIX + policy + "/" + rule;
    }

    private SafeModeAnnotations() {}
}
