package codes.temper.api;

import codes.temper.reconcile.AgentStatus;

/**
 * Why the agent is not ready, for {@code /readyz}'s body. {@link AgentStatus#ready()} says
 * whether, not why; the why is derived from the snapshot's other fields.
 */
final class Readiness {

    private Readiness() {
    }

    /** @return null when ready */
    static String notReadyReason(AgentStatus s) {
        if (s == null) {
            return "agent starting: no status yet";
        }
        if (s.ready()) {
            return null;
        }
        if (s.policyRevision() == null) {
            return "no policy loaded yet";
        }
        return "decision not applied yet (policy " + s.policyRevision() + ", mode " + s.mode().wire() + ")";
    }
}
