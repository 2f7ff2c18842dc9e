import codes.temper.kube.Snapshots;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodListBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Inputs of scripts/bench-status, run with temper.jar on the class path (its own snapshot reader
 * and fabric8's model, so nothing else is needed):
 *
 * <pre>
 * java -cp temper.jar BenchPods.java SNAPSHOT N A.json B.json   N pods on node-a (copies of the snapshot's), and N+5
 * java -cp temper.jar BenchPods.java --cgroups PLAN.json DIR    the plan's pod cgroups made under DIR
 * </pre>
 */
public final class BenchPods {
    static final String NODE = "node-a";
    static final String MIRROR = "kubernetes.io/config.mirror";

    public static void main(String[] args) throws Exception {
        if (args[0].equals("--cgroups")) {
            var plan = tools.jackson.databind.json.JsonMapper.builder().build().readTree(Files.readString(Path.of(args[1])));
            int made = 0;
            for (var a : plan.get("assignments")) {
                Files.createDirectories(Path.of(args[2]).resolve(a.get("cgroup").stringValue()));
                made++;
            }
            System.err.println("bench: " + made + " pod cgroups under " + args[2]);
            return;
        }
        List<Pod> examples = Snapshots.readPods(Path.of(args[0]));
        int n = Integer.parseInt(args[1]);
        List<Pod> pods = new ArrayList<>();
        for (int i = 0; i < n + 5; i++) {
            Pod p = Serialization.clone(examples.get(i % examples.size()));
            String uid = UUID.nameUUIDFromBytes(("bench-" + i).getBytes(StandardCharsets.UTF_8)).toString();
            p.getMetadata().setName(p.getMetadata().getName() + "-b" + i);
            p.getMetadata().setUid(uid);
            if (p.getMetadata().getAnnotations() != null && p.getMetadata().getAnnotations().containsKey(MIRROR)) {
                p.getMetadata().getAnnotations().put(MIRROR, uid);
            }
            p.getSpec().setNodeName(NODE);
            pods.add(p);
        }
        Files.writeString(Path.of(args[2]), Serialization.asJson(new PodListBuilder().withItems(pods.subList(0, n)).build()));
        Files.writeString(Path.of(args[3]), Serialization.asJson(new PodListBuilder().withItems(pods).build()));
    }
}
