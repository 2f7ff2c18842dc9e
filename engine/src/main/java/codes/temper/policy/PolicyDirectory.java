package codes.temper.policy;

import codes.temper.yaml.InvalidInputException;
import codes.temper.yaml.Limits;
import codes.temper.yaml.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads the policy files of a local directory: its top-level {@code *.yaml} and {@code *.yml},
 * in name order. Subdirectories are not policy (tests/ holds the policy tests).
 */
public final class PolicyDirectory {
    public static final int MAX_FILES = 256;

    private PolicyDirectory() {
    }

    public static List<PolicyFile> read(Path dir) throws InvalidInputException {
        if (!Files.isDirectory(dir)) {
            throw new InvalidInputException(List.of(new Problem(dir.toString(), 1, 1, "", "not a directory")));
        }
        List<Path> paths;
        try (Stream<Path> s = Files.list(dir)) {
            paths = s.filter(p -> Files.isRegularFile(p) && isYaml(p.getFileName().toString())).sorted().toList();
        } catch (IOException e) {
            throw new InvalidInputException(List.of(new Problem(dir.toString(), 1, 1, "", "cannot list: " + e.getMessage())));
        }
        if (paths.size() > MAX_FILES) {
            throw new InvalidInputException(List.of(new Problem(dir.toString(), 1, 1, "", paths.size() + " policy files; at most " + MAX_FILES)));
        }
        List<PolicyFile> files = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        for (Path p : paths) {
            String name = dir.resolve(p.getFileName()).toString();
            try {
                if (Files.size(p) > Limits.POLICY.maxBytes()) {
                    problems.add(new Problem(name, 1, 1, "", "file is " + Files.size(p) + " bytes; the limit is " + Limits.POLICY.maxBytes()));
                    continue;
                }
                files.add(new PolicyFile(name, Files.readAllBytes(p)));
            } catch (IOException e) {
                problems.add(new Problem(name, 1, 1, "", "cannot read: " + e.getMessage()));
            }
        }
        if (!problems.isEmpty()) throw new InvalidInputException(problems);
        return files;
    }

    public static boolean isYaml(String fileName) {
        return fileName.endsWith(".yaml") || fileName.endsWith(".yml");
    }
}
