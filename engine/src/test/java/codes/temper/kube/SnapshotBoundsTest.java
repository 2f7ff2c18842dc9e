package codes.temper.kube;

import static codes.temper.kube.FileWorldBadInputTest.firstProblem;
import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.yaml.Limits;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The size of a pods snapshot is bounded (issue 13, item 11): 100,000 pods took 3.9 GB. A node
 * runs at most a few hundred pods; a whole cluster's {@code kubectl get pods -A} can be larger, up
 * to {@link Snapshots#MAX_PODS} pods and {@link Limits#SNAPSHOT} bytes. Past either the snapshot is
 * refused with what to do, before it costs memory out of proportion.
 */
class SnapshotBoundsTest {
    @TempDir
    Path dir;

    static String pods(int n) {
        StringBuilder b = new StringBuilder("{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[\n");
        for (int i = 0; i < n; i++) {
            if (i > 0) b.append(",\n");
            b.append("{\"kind\":\"Pod\",\"metadata\":{\"name\":\"p").append(i).append("\",\"namespace\":\"ns\",\"uid\":\"u-").append(i)
                    .append("\"},\"spec\":{\"nodeName\":\"node-a\",\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]},")
                    .append("\"status\":{\"phase\":\"Running\",\"qosClass\":\"BestEffort\"}}");
        }
        return b.append("]}\n").toString();
    }

    @Test
    void theBoundIsReadAndOnePodMoreIsRefusedNamingTheBound() throws Exception {
        assertThat(Snapshots.readPods("at-bound.json", pods(Snapshots.MAX_PODS).getBytes(StandardCharsets.UTF_8))).hasSize(Snapshots.MAX_PODS);
        Path over = Files.writeString(dir.resolve("pods.json"), pods(Snapshots.MAX_PODS + 1));
        assertThat(firstProblem(() -> Snapshots.readPods(over))).isEqualTo(over + ":1:1: items: " + (Snapshots.MAX_PODS + 1)
                + " pods; a snapshot holds at most " + Snapshots.MAX_PODS
                + " (a node runs a few hundred: take this node's only, kubectl get pods -A --field-selector spec.nodeName=NODE)");
    }

    @Test
    void aFileOverTheByteBoundIsRefusedBeforeItIsRead() throws Exception {
        Path big = dir.resolve("pods.yaml");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(Limits.SNAPSHOT.maxBytes() + 1L); // sparse: nothing is written
        }
        assertThat(firstProblem(() -> Snapshots.readPods(big)))
                .isEqualTo(big + ":1:1: file is " + (Limits.SNAPSHOT.maxBytes() + 1L) + " bytes; the limit is " + Limits.SNAPSHOT.maxBytes());
        assertThat(Limits.SNAPSHOT.maxBytes()).isLessThanOrEqualTo(16 << 20);
    }
}
