package codes.temper.controller;

import codes.temper.policy.LabelSelector;
import java.util.Map;

/** A validated rule of a TemperPolicy, with its selector in the engine's own form. */
record CompiledRule(String policy, String name, LabelSelector selector, String nodeName, boolean safeMode, String reason) {

    /** @param nodeName null: the rule's labels decide alone */
    boolean selects(String node, Map<String, String> labels) {
        return (nodeName == null || nodeName.equals(node)) && selector.matches(labels);
    }
}
