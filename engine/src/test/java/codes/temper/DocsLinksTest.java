package codes.temper;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The documentation's references into the repository resolve: every relative Markdown link (and
 * its {@code #anchor}, against the target's headings as GitHub names them), and every repository
 * path written in backticks ({@code deploy/...}, {@code docs/...}). A renamed file or heading
 * fails here instead of leaving a reader at a dead end.
 */
class DocsLinksTest {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    private static final Pattern CODE_BLOCK = Pattern.compile("(?s)```.*?```");
    private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)\\)");
    private static final Pattern HEADING = Pattern.compile("(?m)^#{1,6} (.+)$");
    private static final Pattern REPO_PATH = Pattern.compile("`((?:deploy|docs|policies|engine|bpf|scripts|rules)/[^`\\s]*)`");
    /** Made by a build, not committed: named in the docs, absent from a fresh clone. */
    private static final Pattern GENERATED = Pattern.compile(".*(/target/|/\\.build|^\\.image|/\\.image).*|^engine/target.*|^bpf/\\.(build|kernel).*");

    static List<Path> docs() throws IOException {
        List<Path> docs = new ArrayList<>(List.of(REPO.resolve("README.md"), REPO.resolve("bpf/README.md")));
        try (Stream<Path> s = Files.list(REPO.resolve("docs"))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        return docs;
    }

    /** The anchor GitHub gives a heading: lower case, punctuation but '-' and '_' dropped, spaces as '-'. */
    static String slug(String heading) {
        return heading.strip().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}_\\- ]", "").replace(' ', '-');
    }

    static List<String> anchors(Path md) throws IOException {
        List<String> out = new ArrayList<>();
        Matcher m = HEADING.matcher(CODE_BLOCK.matcher(Files.readString(md)).replaceAll(""));
        while (m.find()) out.add(slug(m.group(1)));
        return out;
    }

    @Test
    void everyRelativeLinkAndAnchorResolves() throws IOException {
        List<String> broken = new ArrayList<>();
        int links = 0;
        for (Path doc : docs()) {
            String text = CODE_BLOCK.matcher(Files.readString(doc)).replaceAll("");
            Matcher m = LINK.matcher(text);
            while (m.find()) {
                String target = m.group(1);
                if (target.matches("[a-zA-Z][a-zA-Z+.-]*:.*")) continue; // https:, mailto:
                links++;
                int hash = target.indexOf('#');
                String file = hash < 0 ? target : target.substring(0, hash), anchor = hash < 0 ? null : target.substring(hash + 1);
                Path resolved = file.isEmpty() ? doc : doc.getParent().resolve(file).normalize();
                String where = REPO.relativize(doc) + ": (" + target + ")";
                if (!resolved.startsWith(REPO) || !Files.exists(resolved)) broken.add(where + " -> no such file");
                else if (anchor != null && resolved.toString().endsWith(".md") && !anchors(resolved).contains(anchor)) {
                    broken.add(where + " -> no heading #" + anchor + " in " + REPO.relativize(resolved));
                }
            }
        }
        assertThat(broken).isEmpty();
        assertThat(links).as("links checked").isGreaterThan(30);
    }

    @Test
    void everyRepositoryPathInBackticksExists() throws IOException {
        List<String> missing = new ArrayList<>();
        for (Path doc : docs()) {
            Matcher m = REPO_PATH.matcher(CODE_BLOCK.matcher(Files.readString(doc)).replaceAll(""));
            while (m.find()) {
                // "<url>#<ref>:<path>" forms and trailing punctuation are not part of a path.
                String path = m.group(1).split("[:#]")[0].replaceAll("[,.;)]+$", "");
                if (path.contains("*") || path.contains("<") || GENERATED.matcher(path).matches()) continue;
                if (!Files.exists(REPO.resolve(path))) missing.add(REPO.relativize(doc) + ": `" + m.group(1) + "`");
            }
        }
        assertThat(missing).isEmpty();
    }

    /**
     * Issue 25, point 9: the README cited ../shared/DESIGN.md, which a user of the repository does
     * not have. No document may point outside the repository, in a link or in backticks.
     */
    @Test
    void noReferenceLeavesTheRepository() throws IOException {
        List<String> outside = new ArrayList<>();
        Pattern up = Pattern.compile("`(\\.\\./[^`\\s]*)`|\\]\\((\\.\\./[^)\\s]*)\\)");
        for (Path doc : docs()) {
            Matcher m = up.matcher(CODE_BLOCK.matcher(Files.readString(doc)).replaceAll(""));
            while (m.find()) {
                String ref = m.group(1) != null ? m.group(1) : m.group(2);
                if (!doc.getParent().resolve(ref.split("#")[0]).normalize().startsWith(REPO)) outside.add(REPO.relativize(doc) + ": " + ref);
            }
        }
        assertThat(outside).isEmpty();
    }
}
