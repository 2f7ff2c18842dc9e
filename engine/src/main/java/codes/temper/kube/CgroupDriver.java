package codes.temper.kube;

import codes.temper.policy.QosClass;

/**
 * The kubelet's cgroup driver decides where a pod's cgroup lives under the cgroup2 mount. The
 * scheduler is keyed by the kernfs id of exactly this directory.
 */
public enum CgroupDriver {
    /** kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<uid with '_'>.slice */
    SYSTEMD {
        @Override
        public String podPath(QosClass qos, String uid) {
            String id = uid.replace('-', '_');
            return switch (qos) {
                case Guaranteed -> "kubepods.slice/kubepods-pod" + id + ".slice";
                case Burstable -> "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + id + ".slice";
                case BestEffort -> "kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + id + ".slice";
            };
        }
    },
    /** kubepods/burstable/pod<uid> */
    CGROUPFS {
        @Override
        public String podPath(QosClass qos, String uid) {
            return switch (qos) {
                case Guaranteed -> "kubepods/pod" + uid;
                case Burstable -> "kubepods/burstable/pod" + uid;
                case BestEffort -> "kubepods/besteffort/pod" + uid;
            };
        }
    };

    public abstract String podPath(QosClass qos, String uid);

    /** The cgroup every pod lives under (the scheduler's pods root): kubepods.slice or kubepods. */
    public String podsRoot() {
        return this == SYSTEMD ? "kubepods.slice" : "kubepods";
    }
}
