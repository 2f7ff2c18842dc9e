package codes.temper.reconcile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

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
