package codes.temper.rules;

/**
 * Which cgroup hierarchy the node's pods live in, as the agent found it under its cgroup root.
 * sched_ext sees a task's cgroup in the unified (v2) hierarchy only: on a cgroup v1 node every
 * task is in the v2 root, so no pod could be told apart and every one would run as system work.
 *
 * @param version  what the root shows
 * @param root     the cgroup root the agent looked at
 * @param evidence what was found there, for the reason
 */
public record CgroupHierarchy(Version version, String root, String evidence) {

    public enum Version {
        /** {@code cgroup.controllers} at the root: the unified hierarchy. */
        V2,
        /** A v1 hierarchy (its {@code tasks} file) at the root or as a controller directory below it. */
        V1,
        /** Neither marker: not a cgroup mount the agent recognises; left to the pods' own lookups. */
        UNKNOWN
    }

    public boolean v1() {
        return version == Version.V1;
    }

    /** The reason a v1 node is unsupported. */
    public String reason() {
        return "cgroup v1 at " + root + " (" + evidence + "): sched_ext tells pods apart by their cgroup v2 (unified) hierarchy;"
                + " on this node every pod would run as system work. Boot with systemd.unified_cgroup_hierarchy=1 (cgroup v2)";
    }
}
