package codes.temper.kube;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What RBAC a request to the API server needs, as "group resource verb" ("core" for the core
 * group, "resource/subresource" for a subresource), the way DeployManifestsTest spells a role's
 * grants: so a test can hold the requests the agent or the controller really made against the
 * ClusterRole the manifests give it (docs/permissions.md justifies each grant by its use).
 */
public final class RbacUse {
    private RbacUse() {
    }

    /** The kustomize base; HelmChartTest keeps the chart's roles equal to these. */
    public static final Path DEPLOY = Path.of("..", "deploy");

    // /api/v1[/namespaces/NS]/RESOURCE[/NAME[/SUB]] and /apis/GROUP/VERSION[/namespaces/NS]/RESOURCE[/NAME[/SUB]]
    private static final Pattern PATH = Pattern.compile(
            "^/(?:api/v1|apis/([^/]+)/[^/]+)/(?:namespaces/[^/?]+/(?=[^/?]+))?([^/?]+)(?:/([^/?]+))?(?:/([^/?]+))?(?:\\?(.*))?$");

    /** The grant one request needs; discovery and other non-resource paths come back as "path P". */
    public static String grant(RecordedRequest r) {
        Matcher m = PATH.matcher(r.getPath());
        if (!m.matches()) return "path " + r.getPath();
        String group = m.group(1) == null ? "core" : m.group(1);
        String resource = m.group(2) + (m.group(4) == null ? "" : "/" + m.group(4));
        boolean named = m.group(3) != null;
        String query = m.group(5) == null ? "" : m.group(5);
        String verb = switch (r.getMethod()) {
            case "GET" -> query.matches("(.*&)?watch=(true|1)(&.*)?") ? "watch" : named ? "get" : "list";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> named ? "delete" : "deletecollection";
            default -> r.getMethod();
        };
        return group + " " + resource + " " + verb;
    }

    /** The grants the requests made with this User-Agent needed, each with its first request ("METHOD path"). */
    public static java.util.SortedMap<String, String> used(Collection<RecordedRequest> requests, String userAgent) {
        java.util.SortedMap<String, String> out = new java.util.TreeMap<>();
        for (RecordedRequest r : requests) {
            if (userAgent.equals(r.getHeader("User-Agent"))) out.putIfAbsent(grant(r), r.getMethod() + " " + r.getPath());
        }
        return out;
    }

    /** Every "group resource verb" the ClusterRole in FILE (the first document) grants. */
    public static Set<String> granted(Path file) throws IOException {
        String first = Files.readString(file).split("(?m)^---$")[0];
        ClusterRole role = new KubernetesSerialization().unmarshal(first, ClusterRole.class);
        Set<String> out = new TreeSet<>();
        for (PolicyRule rule : role.getRules()) {
            for (String g : rule.getApiGroups()) for (String res : rule.getResources()) for (String v : rule.getVerbs()) {
                out.add((g.isEmpty() ? "core" : g) + " " + res + " " + v);
            }
        }
        return out;
    }
}
