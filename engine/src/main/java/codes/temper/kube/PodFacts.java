package codes.temper.kube;

import codes.temper.policy.QosClass;
import codes.temper.rules.PodFact;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/** Translates a Kubernetes Pod into the facts the rules decide on. */
public final class PodFacts {
    /** The kubelet names a static pod's cgroup by the static pod's UID, which the mirror pod carries here. */
    static final String MIRROR_ANNOTATION = "kubernetes.io/config.mirror";

    private PodFacts() {
    }

    public static PodFact of(Pod pod, CgroupDriver driver) {
        var md = pod.getMetadata();
        PodSpec spec = pod.getSpec() == null ? new PodSpec() : pod.getSpec();
        QosClass qos = qosClass(pod);
        Map<String, String> annotations = md.getAnnotations() == null ? Map.of() : md.getAnnotations();
        String cgroupUid = annotations.getOrDefault(MIRROR_ANNOTATION, md.getUid());
        Map<String, String> labels = md.getLabels() == null ? Map.of() : md.getLabels();
        String pcName = spec.getPriorityClassName();
        String phase = pod.getStatus() == null || pod.getStatus().getPhase() == null ? "Pending" : pod.getStatus().getPhase();
        return new PodFact(md.getUid(), md.getNamespace(), md.getName(), spec.getNodeName(), phase, qos,
                spec.getPriority() == null ? 0 : spec.getPriority(),
                pcName != null && !pcName.isEmpty(), pcName,
                labels.get(PodFact.TIER_LABEL), cpuLimitMillis(spec), cpuRequestMillis(spec),
                cgroupUid == null ? null : driver.podPath(qos, cgroupUid),
                md.getDeletionTimestamp() != null);
    }

    /** status.qosClass when the API server set it, else computed as the API server would. */
    public static QosClass qosClass(Pod pod) {
        if (pod.getStatus() != null && pod.getStatus().getQosClass() != null) {
            try {
                return QosClass.valueOf(pod.getStatus().getQosClass());
            } catch (IllegalArgumentException ignored) {
                // an unknown class string: fall through and compute
            }
        }
        PodSpec spec = pod.getSpec() == null ? new PodSpec() : pod.getSpec();
        if (spec.getResources() != null && hasAny(spec.getResources())) {
            return classify(List.of(spec.getResources()));
        }
        List<ResourceRequirements> all = new java.util.ArrayList<>();
        for (Container c : spec.getContainers()) all.add(orEmpty(c.getResources()));
        for (Container c : spec.getInitContainers()) all.add(orEmpty(c.getResources()));
        return classify(all);
    }

    // Guaranteed: every container sets cpu and memory limits, and requests (defaulted to limits)
    // equal them. BestEffort: no container sets any cpu or memory request or limit. As in the API
    // server, a zero quantity counts as not set.
    private static QosClass classify(List<ResourceRequirements> rs) {
        boolean any = false, guaranteed = true;
        for (ResourceRequirements r : rs) {
            for (String res : List.of("cpu", "memory")) {
                Quantity limit = r.getLimits() == null ? null : r.getLimits().get(res);
                Quantity request = r.getRequests() == null ? null : r.getRequests().get(res);
                boolean hasLimit = limit != null && amount(limit).signum() > 0;
                if (hasLimit || (request != null && amount(request).signum() > 0)) any = true;
                if (!hasLimit) guaranteed = false;
                else if (request != null && amount(request).compareTo(amount(limit)) != 0) guaranteed = false;
            }
        }
        if (!any) return QosClass.BestEffort;
        return guaranteed ? QosClass.Guaranteed : QosClass.Burstable;
    }

    /**
     * The pod's effective CPU limit in millicores, as the kubelet sizes the pod cgroup:
     * pod-level resources when set; else max(sum of app containers and sidecars, the largest regular
     * init container plus the sidecars started before it). -1 when any container that counts has
     * no limit (the pod is unbounded).
     */
    public static long cpuLimitMillis(PodSpec spec) {
        if (spec.getResources() != null && spec.getResources().getLimits() != null) {
            long podLevel = limitMillis(spec.getResources().getLimits().get("cpu"));
            if (podLevel >= 0) return podLevel;
        }
        long sidecars = 0, initPeak = 0;
        for (Container c : spec.getInitContainers()) {
            long l = millis(c);
            // Any container without a limit, sidecar or not, leaves the pod cgroup unbounded.
            if (l < 0) return -1;
            if ("Always".equals(c.getRestartPolicy())) sidecars += l;
            else initPeak = Math.max(initPeak, sidecars + l);
        }
        long app = sidecars;
        for (Container c : spec.getContainers()) {
            long l = millis(c);
            if (l < 0) return -1;
            app += l;
        }
        return Math.max(app, initPeak);
    }

    /**
     * The pod's effective CPU request in millicores, as the kubelet derives the pod cgroup's
     * cpu.weight from it (resource.PodRequests): pod-level requests when set; else max(sum of app
     * containers and sidecars, the largest regular init container plus the sidecars started before
     * it); plus spec.overhead. A container without a CPU request but with a limit requests its
     * limit (the API server's defaulting, repeated here for pods read from files). 0 when nothing
     * requests CPU.
     */
    public static long cpuRequestMillis(PodSpec spec) {
        long request = -1;
        if (spec.getResources() != null) {
            var r = spec.getResources();
            Quantity q = r.getRequests() == null ? null : r.getRequests().get("cpu");
            if (q == null && r.getLimits() != null) q = r.getLimits().get("cpu");
            if (q != null) request = Math.max(0, millis(q));
        }
        if (request < 0) {
            long sidecars = 0, initPeak = 0;
            for (Container c : spec.getInitContainers()) {
                long r = requestMillis(c);
                if ("Always".equals(c.getRestartPolicy())) sidecars += r;
                else initPeak = Math.max(initPeak, sidecars + r);
            }
            long app = sidecars;
            for (Container c : spec.getContainers()) app += requestMillis(c);
            request = Math.max(app, initPeak);
        }
        Quantity overhead = spec.getOverhead() == null ? null : spec.getOverhead().get("cpu");
        if (overhead != null) request += Math.max(0, millis(overhead));
        return request;
    }

    private static long requestMillis(Container c) {
        var r = c.getResources();
        if (r == null) return 0;
        Quantity q = r.getRequests() == null ? null : r.getRequests().get("cpu");
        if (q == null && r.getLimits() != null) q = r.getLimits().get("cpu");
        return q == null ? 0 : Math.max(0, millis(q));
    }

    private static long millis(Container c) {
        var r = c.getResources();
        return limitMillis(r == null || r.getLimits() == null ? null : r.getLimits().get("cpu"));
    }

    // The kubelet writes no CFS quota for a zero CPU limit (cpu.max stays "max"), so zero is no limit.
    private static long limitMillis(Quantity q) {
        long m = q == null ? 0 : millis(q);
        return m > 0 ? m : -1;
    }

    static long millis(Quantity q) {
        return amount(q).movePointRight(3).setScale(0, java.math.RoundingMode.CEILING).longValueExact();
    }

    private static BigDecimal amount(Quantity q) {
        return q.getNumericalAmount();
    }

    private static boolean hasAny(ResourceRequirements r) {
        return (r.getLimits() != null && !r.getLimits().isEmpty()) || (r.getRequests() != null && !r.getRequests().isEmpty());
    }

    private static ResourceRequirements orEmpty(ResourceRequirements r) {
        return r == null ? new ResourceRequirements() : r;
    }
}
