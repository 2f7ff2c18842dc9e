package codes.temper.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** kubeconfig files for the CLI's cluster commands, pointing at test API servers. */
final class Kubeconfig {
    private Kubeconfig() {
    }

    /**
     * @param servers context name -> server URL, in order; each context has its own cluster and user
     * @param current the current-context
     */
    static Path write(Path file, Map<String, String> servers, String current) throws IOException {
        StringBuilder clusters = new StringBuilder(), users = new StringBuilder(), contexts = new StringBuilder();
        servers.forEach((name, url) -> {
            clusters.append("- name: ").append(name).append("\n  cluster: {server: \"").append(url)
                    .append("\", insecure-skip-tls-verify: true}\n");
            users.append("- name: ").append(name).append("\n  user: {token: test-").append(name).append("}\n");
            contexts.append("- name: ").append(name).append("\n  context: {cluster: ").append(name).append(", user: ").append(name)
                    .append("}\n");
        });
        return Files.writeString(file, "apiVersion: v1\nkind: Config\nclusters:\n" + clusters + "users:\n" + users + "contexts:\n" + contexts
                + "current-context: " + current + "\n");
    }

    static Path write(Path file, String url) throws IOException {
        Map<String, String> one = new LinkedHashMap<>();
        one.put("test", url);
        return write(file, one, "test");
    }
}
