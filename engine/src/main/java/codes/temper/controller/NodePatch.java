package codes.temper.controller;

import java.util.Map;

/**
 * The annotations to change on one node: a value sets, {@code null} removes. Only keys whose
 * value must change are present, so a JSON merge patch built from it touches nothing else.
 * {@code resourceVersion} is the version the decision was made on; the patch carries it so the
 * API server refuses it (409) if anyone wrote the node since, instead of overwriting their change.
 */
record NodePatch(String node, String resourceVersion, Map<String, String> annotations) {}
