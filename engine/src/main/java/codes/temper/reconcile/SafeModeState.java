package codes.temper.reconcile;

import java.util.List;

/** What a reconcile pass needs to know of the kill switch: whether any trigger asks, and why. */
interface SafeModeState {
    boolean requested();

    /** One reason per active trigger. */
    List<String> reasons();
}
