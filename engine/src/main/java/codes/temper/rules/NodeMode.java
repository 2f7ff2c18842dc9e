package codes.temper.rules;

import java.util.List;

/** The node's decided mode and the reasons for it (sorted, so output is stable). */
public record NodeMode(Mode mode, List<String> reasons) {
    public NodeMode {
        reasons = reasons.stream().map(String::valueOf).sorted().toList();
    }
}
