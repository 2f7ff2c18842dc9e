package codes.temper.api;

import codes.temper.api.AuditEntry.Outcome;
import codes.temper.reconcile.SafeModeControl;
import io.javalin.http.HttpResponseException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.function.Supplier;

/** Turns an admitted {@code POST /safe-mode} into a {@link SafeModeControl} call and its audit entry. */
final class SafeModeSwitch {

    private static final Logger LOG = System.getLogger(SafeModeSwitch.class.getName());

    private final SafeModeControl control;
    private final AuditLog audit;

    SafeModeSwitch(SafeModeControl control, AuditLog audit) {
        this.control = control;
        this.audit = audit;
    }

    /**
     * @param body reads the request body, only now that the caller is admitted; a body that is
     *             malformed or over the size limit is audited as invalid and its refusal rethrown
     */
    /** @return whether the status now shows the outcome ({@link SafeModeControl#requestSafeMode}) */
    boolean request(String actor, String remote, Supplier<String> body) {
        SafeModeRequest req;
        try {
            req = SafeModeRequest.parse(body.get());
        } catch (ApiError e) {
            audit.record(actor, remote, "safe-mode", Outcome.INVALID, e.getMessage());
            throw e;
        } catch (HttpResponseException e) {
            // Javalin's own refusal of the body (413 over the size limit): its message is plain.
            audit.record(actor, remote, "safe-mode", Outcome.INVALID, "request body refused: " + e.getMessage());
            throw e;
        } catch (Exception e) {
            // Jetty throws (unchecked, through Kotlin) when the client stops sending before the
            // declared length or is slower than the body timeout. Nothing was read, nothing changes.
            LOG.log(Level.INFO, "safe-mode request by {0} from {1}: body incomplete ({2})", actor, remote, e.getClass().getSimpleName());
            String why = "request body incomplete: the client stopped sending or was too slow; nothing was changed";
            audit.record(actor, remote, "safe-mode", Outcome.INVALID, why);
            throw ApiError.badRequest(why);
        }
        boolean settled;
        try {
            settled = control.requestSafeMode(req.enabled(), actor, req.reason());
        } catch (RuntimeException e) {
            audit.record(actor, remote, req.action(), Outcome.FAILED, req.reason() + " (" + e.getClass().getSimpleName() + ")");
            LOG.log(Level.ERROR, "safe-mode request by " + actor + " failed", e);
            throw new ApiError(500, "the safe-mode request failed; see the agent log");
        }
        audit.record(actor, remote, req.action(), Outcome.OK, req.reason());
        return settled;
    }
}
