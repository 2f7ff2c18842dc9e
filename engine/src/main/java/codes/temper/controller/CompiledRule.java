package codes.temper.controller;

import codes.temper.policy.LabelSelector;
import java.util.Map;

/** A validated rule of a TemperPolicy, with its selector in the engine's own form. */
record CompiledRule(String policy, String name, LabelSelector selector, boolean safeMode, String reason) {

    boolean selects(Map<String, String> labels) {
        return selector.matches(labels);
    }
}
