package codes.temper.policy;

import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.sched.SchedulerConfig;
import codes.temper.yaml.InvalidInputException;
import codes.temper.yaml.Limits;
import codes.temper.yaml.NodeReader;
import codes.temper.yaml.YamlLoader;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * docs/schema/temper-policy.schema.json, the JSON Schema editors use through the
 * {@code yaml-language-server} header, is written by hand; this keeps it honest: a valid 2020-12
 * schema, naming exactly the fields the parser reads, accepting every policy the repository ships
 * or documents, and refusing the broken-policy corpus except where a schema cannot see the
 * problem.
 */
class PolicySchemaTest {
    static final Path REPO = Path.of("..");
    static final Path SCHEMA = REPO.resolve("docs/schema/temper-policy.schema.json");
    static final Path CORPUS = Path.of("src/test/resources/broken-policies");
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String HEADER = "# yaml-language-server: $schema=";

    /**
     * Corpus cases a document-shape schema cannot refuse: duplicate keys (a JSON tree has no room
     * for them) and rules across fields or entries. The parser refuses them all (BrokenPolicyCorpusTest).
     */
    static final Set<String> BEYOND_A_SCHEMA = Set.of("04-duplicate-key-in-tier.yaml", "05-duplicate-key-top-level.yaml",
            "27-duplicate-tier-names.yaml", "38-priority-range-inverted.yaml", "44-defaulttier-unknown.yaml");

    static JsonNode schemaJson() throws IOException {
        return JSON.readTree(Files.readString(SCHEMA));
    }

    static Schema schema() throws IOException {
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(schemaJson());
    }

    /** Each YAML document of {@code content} as JSON, read by the same bounded loader as the parser. */
    static List<JsonNode> documents(String name, byte[] content) throws InvalidInputException {
        NodeReader r = new NodeReader(name, new ArrayList<>(), Limits.POLICY);
        return new YamlLoader(Limits.POLICY).load(name, content).stream().map(d -> (JsonNode) JSON.valueToTree(r.toJava(d, ""))).toList();
    }

    static List<Error> errors(Schema schema, Path file) throws Exception {
        List<Error> all = new ArrayList<>();
        for (JsonNode doc : documents(file.toString(), Files.readAllBytes(file))) all.addAll(schema.validate(doc));
        return all;
    }

    static List<Path> yaml(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> PolicyDirectory.isYaml(p.getFileName().toString())).sorted().toList();
        }
    }

    @Test
    void theSchemaIsAValidDraft2020_12Schema() throws Exception {
        Schema meta = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"));
        assertThat(meta.validate(schemaJson())).isEmpty();
    }

    @Test
    void theSchemaNamesExactlyTheFieldsTheParserReads() throws Exception {
        JsonNode s = schemaJson(), defs = s.get("$defs");
        Map<String, Set<String>> expected = new LinkedHashMap<>();
        expected.put("(document)", PolicyParser.TOP);
        expected.put("metadata", PolicyParser.METADATA);
        expected.put("tierPolicySpec", TierPolicyReader.SPEC);
        expected.put("tier", TierReader.TIER);
        expected.put("match", TierReader.MATCH);
        expected.put("ceiling", TierReader.CEILING);
        expected.put("floor", TierReader.FLOOR);
        expected.put("system", TierPolicyReader.SYSTEM);
        expected.put("systemFloor", TierReader.FLOOR);
        expected.put("nodePolicySpec", NodePolicyReader.SPEC);
        expected.put("exclusion", NodePolicyReader.EXCLUSION);
        expected.put("nodeSelector", NodePolicyReader.SELECTOR);
        expected.put("requirement", NodePolicyReader.REQUIREMENT);
        expected.forEach((def, fields) -> {
            JsonNode object = def.equals("(document)") ? s : defs.get(def);
            assertThat(new TreeSet<>(object.get("properties").propertyNames())).as(def).isEqualTo(new TreeSet<>(fields));
            assertThat(object.get("additionalProperties").asBoolean(true)).as(def + ": unknown fields refused, as the parser does").isFalse();
        });
        assertThat(s.get("properties").get("apiVersion").get("const").asString()).isEqualTo(PolicyParser.API_VERSION);
        assertThat(defs.get("tierPolicySpec").get("properties").get("tiers").get("maxItems").asInt()).isEqualTo(SchedulerConfig.MAX_TIERS);
        assertThat(strings(defs.get("match").get("properties").get("qosClass").get("enum")))
                .isEqualTo(Arrays.stream(QosClass.values()).map(Enum::name).toList());
        assertThat(strings(defs.get("requirement").get("properties").get("operator").get("enum")))
                .isEqualTo(Arrays.stream(LabelSelector.Operator.values()).map(Enum::name).toList());
        assertThat(defs.get("exclusion").get("properties").get("requires").get("const").asString()).isEqualTo(Exclusion.CPU_MAX_ENFORCEMENT);
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asString()));
        return out;
    }

    /** The shipped policy, the chart's copy of it and the examples of docs/: schema-valid, and parsed whole by the parser. */
    @Test
    void everyShippedAndExamplePolicyConforms() throws Exception {
        Schema schema = schema();
        List<Path> files = new ArrayList<>(yaml(REPO.resolve("policies")));
        files.addAll(yaml(REPO.resolve("deploy/helm/temper/files/policies")));
        files.addAll(yaml(REPO.resolve("docs/examples")));
        assertThat(files).hasSizeGreaterThanOrEqualTo(6);
        for (Path f : files) assertThat(errors(schema, f)).as(f.toString()).isEmpty();
        for (Path example : yaml(REPO.resolve("docs/examples"))) {
            PolicySet p = new PolicyParser().parse(List.of(new PolicyFile(example.toString(), Files.readAllBytes(example))));
            assertThat(p.tierPolicy()).as(example + " is a whole revision").isNotNull();
        }
    }

    private static final Pattern YAML_BLOCK = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL);

    /** Every policy written out in docs/policies.md is one the schema accepts. */
    @Test
    void thePoliciesInTheReferenceConform() throws Exception {
        Schema schema = schema();
        String doc = Files.readString(REPO.resolve("docs/policies.md"));
        Matcher m = YAML_BLOCK.matcher(doc);
        int checked = 0;
        while (m.find()) {
            for (JsonNode d : documents("docs/policies.md", m.group(1).getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
                if (!d.isObject() || !PolicyParser.API_VERSION.equals(d.path("apiVersion").asString(""))) continue;
                if (!Set.of("TierPolicy", "NodePolicy").contains(d.path("kind").asString(""))) continue;
                assertThat(schema.validate(d)).as(m.group(1)).isEmpty();
                checked++;
            }
        }
        assertThat(checked).as("policies in docs/policies.md").isGreaterThanOrEqualTo(2);
    }

    /** The header points editors at the schema from where each file sits, and the parser reads it as the comment it is. */
    @Test
    void theExamplesCarryAHeaderThatFindsTheSchema() throws Exception {
        List<Path> files = new ArrayList<>(yaml(REPO.resolve("policies")));
        files.addAll(yaml(REPO.resolve("docs/examples")));
        for (Path f : files) {
            String first = Files.readAllLines(f).getFirst();
            assertThat(first).as(f.toString()).startsWith(HEADER);
            Path target = f.getParent().resolve(first.substring(HEADER.length()).strip()).normalize();
            assertThat(Files.isSameFile(target, SCHEMA)).as(f + " -> " + target).isTrue();
        }
        PolicySet p = new PolicyParser().parse(PolicyDirectory.read(REPO.resolve("policies")));
        assertThat(p.notes()).as("no file skipped as foreign").isEmpty();
        assertThat(p.tierPolicy().tiers()).hasSize(5);
    }

    @Test
    void theSchemaRefusesTheBrokenCorpusWhereADocumentsShapeShowsTheProblem() throws Exception {
        Schema schema = schema();
        List<String> accepted = new ArrayList<>(), refused = new ArrayList<>();
        for (Path f : yaml(CORPUS)) {
            List<JsonNode> docs;
            try {
                docs = documents(f.toString(), Files.readAllBytes(f));
            } catch (InvalidInputException e) {
                continue; // not YAML the parser will read (syntax, encoding, bounds): no document for a schema to see
            }
            boolean valid = docs.stream().allMatch(d -> schema.validate(d).isEmpty());
            (valid ? accepted : refused).add(f.getFileName().toString());
        }
        assertThat(accepted).containsExactlyInAnyOrderElementsOf(BEYOND_A_SCHEMA);
        assertThat(refused).hasSizeGreaterThan(40);
    }
}
