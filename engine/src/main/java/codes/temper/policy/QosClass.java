package codes.temper.policy;

/** Kubernetes pod QoS classes, spelled as the API spells them. */
public enum QosClass {
    Guaranteed, Burstable, BestEffort
}
