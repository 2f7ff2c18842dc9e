package codes.temper.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A ConfigMap volume laid out on disk the way the kubelet's AtomicWriter does it: the data in a
 * timestamped directory {@code ..2026_11_30_06_00_00.000000001}, a symlink {@code ..data} to it,
 * and one symlink per key, {@code key -> ..data/key}. An update writes a new timestamped
 * directory, points a new symlink {@code ..data_tmp} at it and renames that over {@code ..data}
 * (rename(2): atomic), then adds the symlinks of new keys, removes those of gone keys and the old
 * directory. Readers see the old set or the new one, never a mix.
 */
public final class ConfigMapVolume {
    private final Path dir;
    private int generation;

    private ConfigMapVolume(Path dir) {
        this.dir = dir;
    }

    /** The data of the chart's bundled-policy ConfigMap, rendered by real Helm with the default values. */
    public static Map<String, String> bundledPolicy() {
        return Chart.defaults().one(ConfigMap.class, "temper-policy").getData();
    }

    public static ConfigMapVolume create(Path dir, Map<String, String> data) throws IOException {
        Files.createDirectories(dir);
        ConfigMapVolume v = new ConfigMapVolume(dir);
        v.update(data);
        return v;
    }

    public Path dir() {
        return dir;
    }

    public void update(Map<String, String> data) throws IOException {
        Path data0 = dir.resolve("..data");
        Path old = Files.isSymbolicLink(data0) ? dir.resolve(Files.readSymbolicLink(data0)) : null;
        Set<String> oldKeys = old == null ? Set.of() : keys(old);
        generation++;
        String ts = String.format("..2026_11_30_06_00_00.%09d", generation);
        Path fresh = Files.createDirectory(dir.resolve(ts));
        for (var e : data.entrySet()) Files.writeString(fresh.resolve(e.getKey()), e.getValue(), StandardCharsets.UTF_8);
        Path tmp = dir.resolve("..data_tmp");
        Files.deleteIfExists(tmp);
        Files.createSymbolicLink(tmp, Path.of(ts));
        Files.move(tmp, data0, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        for (String k : data.keySet()) {
            Path link = dir.resolve(k);
            if (!Files.isSymbolicLink(link)) Files.createSymbolicLink(link, Path.of("..data", k));
        }
        for (String k : oldKeys) if (!data.containsKey(k)) Files.deleteIfExists(dir.resolve(k));
        if (old != null) deleteTree(old);
    }

    private static Set<String> keys(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toCollection(TreeSet::new));
        }
    }

    private static void deleteTree(Path d) throws IOException {
        try (Stream<Path> s = Files.walk(d)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
