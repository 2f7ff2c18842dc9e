package codes.temper.policy;

import codes.temper.yaml.InputFiles;
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
        if (!Files.exists(dir)) {
            throw new InvalidInputException(List.of(new Problem(dir.toString(), 1, 1, "", "no such file or directory")));
        }
        if (!Files.isDirectory(dir)) {
            throw new InvalidInputException(List.of(new Problem(dir.toString(), 1, 1, "",
                    "not a directory (a policy directory holds the *.yaml files)")));
        }
        Path root;
        List<Path> paths;
        try (Stream<Path> s = Files.list(dir)) {
            root = dir.toRealPath();
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
                // A ConfigMap mount links each key into ..data inside the directory; a link that
                // leaves it would let whoever can write the directory have the agent read, and
                // quote in its errors, any file it can (/etc/shadow). Checked before reading.
                if (!p.toRealPath().startsWith(root)) {
                    problems.add(new Problem(name, 1, 1, "", "a symbolic link to a file outside the policy directory; refused"));
                    continue;
                }
                files.add(new PolicyFile(name, InputFiles.read(p, name, Limits.POLICY.maxBytes())));
            } catch (IOException e) {
                problems.add(new Problem(name, 1, 1, "", "cannot read: " + e.getMessage()));
            } catch (InvalidInputException e) {
                problems.addAll(e.problems());
            }
        }
        if (!problems.isEmpty()) throw new InvalidInputException(problems);
        return files;
    }

    public static boolean isYaml(String fileName) {
        return fileName.endsWith(".yaml") || fileName.endsWith(".yml");
    }
}
