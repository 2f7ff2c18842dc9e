package codes.temper.policy;

/**
 * One entry of a tier's {@code match} list. The conditions of one entry must all hold; a tier
 * matches a pod when any of its entries does. Absent conditions are stored in their neutral form
 * so that rules can compare without null checks.
 *
 * @param tier             the tier this entry belongs to
 * @param rank             the tier's rank (0 = highest)
 * @param index            position in the tier's match list
 * @param minPriority      {@code priorityAtLeast}, or Long.MIN_VALUE
 * @param maxPriorityBelow {@code priorityBelow} (exclusive), or Long.MAX_VALUE
 * @param qosClass         required QoS class, or null for any
 * @param noPriorityClass  true: only pods without a PriorityClass; such entries are consulted
 *                         for class-less pods before the priority entries of any tier
 */
public record TierMatch(String tier, int rank, int index, long minPriority, long maxPriorityBelow,
                        QosClass qosClass, boolean noPriorityClass) {

    /** Human-readable form, used in the {@code because} of an assignment. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        if (minPriority != Long.MIN_VALUE) sb.append("priority >= ").append(minPriority);
        if (maxPriorityBelow != Long.MAX_VALUE) sep(sb).append("priority < ").append(maxPriorityBelow);
        if (qosClass != null) sep(sb).append("qosClass ").append(qosClass);
        if (noPriorityClass) sep(sb).append("no PriorityClass");
        if (sb.isEmpty()) sb.append("any pod");
        return tier + ".match[" + index + "]: " + sb;
    }

    private static StringBuilder sep(StringBuilder sb) {
        return sb.isEmpty() ? sb : sb.append(", ");
    }
}
