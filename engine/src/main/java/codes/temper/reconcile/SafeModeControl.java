package codes.temper.reconcile;

/**
 * The local safe-mode switch the status API's {@code POST /safe-mode} drives. One of several
 * triggers (node annotation, {@code --safe-mode-file}, this): any one of them requesting safe mode
 * is enough, so turning this one off does not override the others.
 */
public interface SafeModeControl {

    /**
     * @param on     true: stand the scheduler down now; false: withdraw this switch's request
     * @param actor  who asked (the authenticated principal), for the audit log
     * @param reason free text from the caller
     * @return true when the node's status now shows the request's outcome; false when the pass
     *         that applies it (a release re-engages on the loop) has not run yet
     */
    boolean requestSafeMode(boolean on, String actor, String reason);
}
