package codes.temper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** {@code temper test -o junit}: JUnit XML a CI system can read, parsed here by the JDK's XML parser. */
class JUnitReportTest {
    @TempDir Path tmp;

    static Document parse(String xml) throws Exception {
        var f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    Path fixture(String tests) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("policy-with-tests"));
        Files.copy(CliTest.DEFAULT_POLICIES.resolve("tiers.yaml"), dir.resolve("tiers.yaml"));
        Files.createDirectories(dir.resolve("tests"));
        Files.writeString(dir.resolve("tests/tiers-test.yaml"), tests);
        return dir;
    }

    @Test
    void aPassAndAFailureAsTestcaseAndFailureElements() throws Exception {
        // The failing case's pod name carries a control character: XML 1.0 cannot hold it even escaped.
        Path dir = fixture(CliTest.TEST_HEADER + CliTest.FAILING_CASE.replace("name: class-less BestEffort pods are normal",
                "name: \"\\e class-less BestEffort pods are normal\""));
        CliRun r = CliRun.of("test", dir.toString(), "-o", "junit");
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(r.out()).startsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
        Document d = parse(r.out());
        Element root = d.getDocumentElement();
        assertThat(root.getTagName()).isEqualTo("testsuites");
        assertThat(root.getAttribute("tests")).isEqualTo("2");
        assertThat(root.getAttribute("failures")).isEqualTo("1");

        NodeList suites = d.getElementsByTagName("testsuite");
        assertThat(suites.getLength()).isEqualTo(1);
        Element suite = (Element) suites.item(0);
        assertThat(suite.getAttribute("name")).isEqualTo("default-tiers");
        assertThat(suite.getAttribute("tests")).isEqualTo("2");
        assertThat(suite.getAttribute("failures")).isEqualTo("1");
        assertThat(suite.getAttribute("file")).isEqualTo(dir.resolve("tests/tiers-test.yaml").toString());

        NodeList cases = d.getElementsByTagName("testcase");
        assertThat(cases.getLength()).isEqualTo(2);
        Element pass = (Element) cases.item(0), fail = (Element) cases.item(1);
        assertThat(pass.getAttribute("name")).isEqualTo("system pods are critical");
        assertThat(pass.getAttribute("classname")).isEqualTo("default-tiers");
        assertThat(pass.getElementsByTagName("failure").getLength()).isZero();
        assertThat(fail.getAttribute("name")).isEqualTo("\\u001b class-less BestEffort pods are normal");
        assertThat(fail.getAttribute("line")).isEqualTo("13");
        Element failure = (Element) fail.getElementsByTagName("failure").item(0);
        assertThat(failure.getAttribute("message")).startsWith("pod default/batch: expected tier normal, got background");
        assertThat(failure.getTextContent()).contains("expected tier normal, got background").contains("tiers-test.yaml:13");
    }

    @Test
    void allPassingIsZeroFailures() throws Exception {
        CliRun r = CliRun.of("test", CliTest.DEFAULT_POLICIES.toString(), "-o", "junit");
        assertThat(r.code()).as(r.err()).isZero();
        Document d = parse(r.out());
        assertThat(d.getDocumentElement().getAttribute("failures")).isEqualTo("0");
        assertThat(d.getElementsByTagName("failure").getLength()).isZero();
        assertThat(d.getElementsByTagName("testcase").getLength()).isEqualTo(Integer.parseInt(d.getDocumentElement().getAttribute("tests")))
                .isPositive();
    }

    /** A policy that does not load is an error in the report, so the CI page says why nothing ran. */
    @Test
    void aBrokenPolicyIsAnErrorElement() throws Exception {
        Path dir = fixture(CliTest.TEST_HEADER);
        Files.copy(CliTest.CORPUS.resolve("39-qosclass-lowercase.yaml"), dir.resolve("tiers.yaml"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        CliRun r = CliRun.of("test", dir.toString(), "-o", "junit");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith(dir.resolve("tiers.yaml") + ":30:17:");
        Document d = parse(r.out());
        assertThat(d.getDocumentElement().getAttribute("errors")).isEqualTo("1");
        Element error = (Element) d.getElementsByTagName("error").item(0);
        assertThat(error.getTextContent()).contains("tiers.yaml:30:17: spec.tiers[4].match[1].qosClass:");
    }
}
