package codes.temper.reconcile;

import codes.temper.policy.PolicySet;

/** A validated policy and its name: {@code <ref>@sha1:<hex>} from Git, {@code dir@sha256:<hex>} from a directory. */
public record PolicyRevision(PolicySet policy, String revision) {
}
