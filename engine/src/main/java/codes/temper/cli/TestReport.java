package codes.temper.cli;

import codes.temper.text.Printable;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Locale;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * The outcome of {@code temper test}, as data ({@code -o json|yaml}) and as JUnit XML
 * ({@code -o junit}), the report format CI systems (Jenkins, GitLab, GitHub Actions reporters)
 * read. A policy or test file that cannot be read is reported in the XML too, as an
 * {@code <error>}, so a CI page shows why nothing ran instead of an empty report.
 *
 * @param problems why nothing ran (the policy or a test file is invalid); empty when the cases ran
 */
record TestReport(List<Suite> suites, int passed, int failed, List<Rendering.ProblemView> problems) {

    record Suite(String name, String file, List<Case> cases) {}

    /** @param failures what differed from the expectation, one line each; empty when the case passed */
    record Case(String name, int line, boolean passed, List<String> failures, double seconds) {}

    static TestReport of(List<Suite> suites) {
        int passed = (int) suites.stream().flatMap(s -> s.cases().stream()).filter(Case::passed).count();
        int total = suites.stream().mapToInt(s -> s.cases().size()).sum();
        return new TestReport(suites, passed, total - passed, List.of());
    }

    static TestReport invalid(List<codes.temper.yaml.Problem> problems) {
        return new TestReport(List.of(), 0, 0, Rendering.ProblemView.of(problems));
    }

    String junit() {
        StringWriter text = new StringWriter();
        try {
            XMLStreamWriter x = XMLOutputFactory.newFactory().createXMLStreamWriter(text);
            x.writeStartDocument("UTF-8", "1.0");
            x.writeCharacters("\n");
            x.writeStartElement("testsuites");
            x.writeAttribute("name", "temper test");
            x.writeAttribute("tests", Integer.toString(problems.isEmpty() ? passed + failed : 1));
            x.writeAttribute("failures", Integer.toString(failed));
            x.writeAttribute("errors", problems.isEmpty() ? "0" : "1");
            if (!problems.isEmpty()) loadError(x);
            for (Suite s : suites) suite(x, s);
            x.writeCharacters("\n");
            x.writeEndElement();
            x.writeCharacters("\n");
            x.writeEndDocument();
            x.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("cannot write the JUnit report", e);
        }
        return text.toString();
    }

    private static void suite(XMLStreamWriter x, Suite s) throws XMLStreamException {
        long failures = s.cases().stream().filter(c -> !c.passed()).count();
        x.writeCharacters("\n  ");
        x.writeStartElement("testsuite");
        x.writeAttribute("name", xml(s.name()));
        x.writeAttribute("tests", Integer.toString(s.cases().size()));
        x.writeAttribute("failures", Long.toString(failures));
        x.writeAttribute("errors", "0");
        x.writeAttribute("skipped", "0");
        x.writeAttribute("time", seconds(s.cases().stream().mapToDouble(Case::seconds).sum()));
        x.writeAttribute("file", xml(s.file()));
        for (Case c : s.cases()) {
            x.writeCharacters("\n    ");
            x.writeStartElement("testcase");
            x.writeAttribute("name", xml(c.name()));
            x.writeAttribute("classname", xml(s.name()));
            x.writeAttribute("file", xml(s.file()));
            x.writeAttribute("line", Integer.toString(c.line()));
            x.writeAttribute("time", seconds(c.seconds()));
            if (!c.passed()) {
                x.writeCharacters("\n      ");
                x.writeStartElement("failure");
                x.writeAttribute("type", "PolicyTestFailure");
                x.writeAttribute("message", xml(c.failures().getFirst()));
                x.writeCharacters(xml(String.join("\n", c.failures()) + "\n(" + s.file() + ":" + c.line() + ")"));
                x.writeEndElement();
                x.writeCharacters("\n    ");
            }
            x.writeEndElement();
        }
        x.writeCharacters("\n  ");
        x.writeEndElement();
    }

    private void loadError(XMLStreamWriter x) throws XMLStreamException {
        x.writeCharacters("\n  ");
        x.writeStartElement("testsuite");
        x.writeAttribute("name", "temper");
        x.writeAttribute("tests", "1");
        x.writeAttribute("failures", "0");
        x.writeAttribute("errors", "1");
        x.writeCharacters("\n    ");
        x.writeStartElement("testcase");
        x.writeAttribute("name", "policy and tests load");
        x.writeAttribute("classname", "temper");
        x.writeCharacters("\n      ");
        x.writeStartElement("error");
        x.writeAttribute("type", "InvalidInput");
        x.writeAttribute("message", problems.size() + " problem(s) found");
        StringBuilder lines = new StringBuilder();
        for (var p : problems) lines.append(p.file()).append(':').append(p.line()).append(':').append(p.column()).append(": ")
                .append(p.field().isEmpty() ? "" : p.field() + ": ").append(p.message()).append('\n');
        x.writeCharacters(xml(lines.toString()));
        x.writeEndElement();
        x.writeCharacters("\n    ");
        x.writeEndElement();
        x.writeCharacters("\n  ");
        x.writeEndElement();
    }

    /**
     * Text made safe for XML 1.0, which cannot carry most control characters even escaped: each
     * line is escaped as on a terminal, the line breaks between them kept.
     */
    private static String xml(String s) {
        if (s == null) return "";
        return String.join("\n", s.lines().map(Printable::escape).toList()) + (s.endsWith("\n") ? "\n" : "");
    }

    private static String seconds(double s) {
        return String.format(Locale.ROOT, "%.3f", s);
    }

    /** The table for people: PASS/FAIL lines, the differences, and the count. */
    void table(PrintWriter out) {
        for (Suite s : suites) {
            for (Case c : s.cases()) {
                if (c.passed()) {
                    out.println(Printable.escape("PASS " + s.name() + ": " + c.name()));
                } else {
                    out.println(Printable.escape("FAIL " + s.name() + ": " + c.name() + "  (" + s.file() + ":" + c.line() + ")"));
                    c.failures().forEach(line -> out.println("     " + Printable.escape(line)));
                }
            }
        }
        out.println(passed + " passed, " + failed + " failed");
        out.flush();
    }
}
