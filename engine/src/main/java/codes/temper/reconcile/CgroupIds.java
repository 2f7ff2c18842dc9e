package codes.temper.reconcile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import codes.temper.rules.CgroupHierarchy;

/**
 * Pod-level cgroup path (relative to the cgroup2 mount, as the rules compute it) -> the id the
 * scheduler matches: the cgroup's kernfs id, which on 64-bit kernels is the directory's inode
 * number (what {@code stat -c %i} prints and bpf's {@code cgroup->kn->id} holds).
 */
public final class CgroupIds {
    private final Path root;

    public CgroupIds(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    // Where a v1 node mounts the controllers kubelet puts pods under (cgroupfs and systemd alike).
    private static final List<String> V1_CONTROLLERS = List.of("cpu", "cpu,cpuacct", "cpuacct", "memory", "pids");

    /**
     * Which hierarchy the root holds, from two files: {@code cgroup.controllers} exists only at
     * a v2 (unified) root; {@code tasks} exists only in a v1 hierarchy, at the root itself or at a
     * controller's directory under a v1 tmpfs. Hybrid nodes (v1 controllers beside a v2
     * {@code unified} mount) are v1 for pods: kubelet places them in the v1 controllers.
     */
    public CgroupHierarchy hierarchy() {
        if (Files.exists(root.resolve("cgroup.controllers"))) {
            return new CgroupHierarchy(CgroupHierarchy.Version.V2, root.toString(), "cgroup.controllers present");
        }
        if (Files.exists(root.resolve("tasks"))) {
            return new CgroupHierarchy(CgroupHierarchy.Version.V1, root.toString(), "a v1 hierarchy: tasks file, no cgroup.controllers");
        }
        for (String c : V1_CONTROLLERS) {
            if (Files.exists(root.resolve(c).resolve("tasks"))) {
                return new CgroupHierarchy(CgroupHierarchy.Version.V1, root.toString(),
                        "v1 controller " + c + "/ mounted there, no cgroup.controllers");
            }
        }
        return new CgroupHierarchy(CgroupHierarchy.Version.UNKNOWN, root.toString(), "neither cgroup.controllers nor a v1 tasks file");
    }

    /** Empty while the runtime has not created the cgroup yet: the caller retries. */
    public Optional<Long> id(String relativePath) {
        Path p = root.resolve(relativePath).normalize();
        if (!p.startsWith(root)) return Optional.empty(); // a path from the rules never climbs out
        try {
            return Optional.of(((Number) Files.getAttribute(p, "unix:ino")).longValue());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }
}
