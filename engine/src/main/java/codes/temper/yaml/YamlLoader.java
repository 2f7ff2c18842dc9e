package codes.temper.yaml;

import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Turns the bytes of one file into YAML 1.2 node trees (core schema: {@code no} stays a string),
 * or into problems with their line and column. Never throws for bad input.
 *
 * <p>SnakeYAML Engine parses. We add what untrusted input needs: strict UTF-8, a size bound, and
 * bounds on depth, document count and aliases checked on each parser event <em>before</em> the
 * recursive composer takes it in ({@link BoundedEvents}), so neither a deeply nested file nor a
 * YAML bomb can exhaust the stack or heap.
 */
public final class YamlLoader {
    private final Limits limits;

    public YamlLoader(Limits limits) {
        this.limits = limits;
    }

    /** The documents of a file; empty documents (a bare {@code ---}) are dropped. */
    public List<Node> load(String file, byte[] bytes) throws InvalidInputException {
        if (bytes.length > limits.maxBytes()) {
            throw refuse(file, 1, 1, "file is " + bytes.length + " bytes; the limit is " + limits.maxBytes());
        }
        String text = decodeUtf8(file, bytes);
        LoadSettings settings = LoadSettings.builder()
                .setLabel(file)
                .setSchema(new CoreSchema())
                .setAllowDuplicateKeys(true) // NodeReader reports duplicates with both locations
                .setAllowRecursiveKeys(false)
                .setMaxAliasesForCollections(limits.maxAliases())
                .setCodePointLimit(Math.max(limits.maxBytes(), 1))
                .build();
        // What Compose.composeAllFromString builds, with the parser's events bounded on the way.
        BoundedEvents events = new BoundedEvents(new ParserImpl(settings, new StreamReader(settings, new StringReader(text))), limits);
        try {
            List<Node> docs = new ArrayList<>();
            Composer composer = new Composer(settings, events);
            while (composer.hasNext()) {
                Node n = composer.next();
                if (n != null) docs.add(n);
            }
            return docs;
        } catch (BoundedEvents.Exceeded | YamlEngineException e) {
            throw refusal(file, events.firstProblem(e));
        }
    }

    private static InvalidInputException refusal(String file, RuntimeException e) {
        return switch (e) {
            case BoundedEvents.Exceeded x -> refuseAt(file, x.mark(), x.getMessage());
            case MarkedYamlEngineException m -> syntaxError(file, m);
            default -> refuse(file, 1, 1, "YAML: " + firstLine(e.getMessage()));
        };
    }

    /**
     * Locates a syntax error where the mistake most likely is, and names the other end. A scanner
     * error ("while scanning a quoted scalar", "... a simple key") is noticed at the end of the file
     * or on a later line, so it is reported where the token began; a parser error is reported where
     * it was noticed, naming where the enclosing collection began.
     */
    private static InvalidInputException syntaxError(String file, MarkedYamlEngineException e) {
        String problem = firstLine(e.getProblem());
        if (problem.contains("\\t") || problem.contains("\t")) {
            Mark m = e.getProblemMark().or(e::getContextMark).orElse(null);
            return refuse(file, m, "YAML syntax: tab character where indentation or a token is expected (YAML allows spaces only)");
        }
        String context = e.getContext() == null || e.getContext().isBlank() ? null : e.getContext().strip();
        Mark problemMark = e.getProblemMark().orElse(null), contextMark = e.getContextMark().orElse(null);
        if (problemMark == null || contextMark == null || context == null) {
            Mark m = problemMark != null ? problemMark : contextMark;
            return refuse(file, m, "YAML syntax: " + (context == null ? "" : context + ": ") + problem + hint(context, problem));
        }
        boolean sameSpot = problemMark.getLine() == contextMark.getLine() && problemMark.getColumn() == contextMark.getColumn();
        if (context.startsWith("while scanning")) {
            return refuse(file, contextMark, "YAML syntax: " + context + ": " + problem
                    + (sameSpot ? "" : " at " + lineColumn(problemMark)) + hint(context, problem));
        }
        return refuse(file, problemMark, "YAML syntax: " + context + (sameSpot ? "" : " started at " + lineColumn(contextMark))
                + ": " + problem + hint(context, problem));
    }

    private static String hint(String context, String problem) {
        if (problem.contains("expected <block end>")) return "; check the indentation of this line";
        if (problem.contains("could not find expected ':'")) return "; a key needs a colon and a space after it";
        if (context != null && context.contains("quoted scalar") && problem.contains("end of stream")) return "; is a closing quote missing?";
        return "";
    }

    private static String lineColumn(Mark m) {
        return "line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1);
    }

    private static String firstLine(String s) {
        if (s == null) return "malformed input";
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }

    private static String decodeUtf8(String file, byte[] bytes) throws InvalidInputException {
        int start = bytes.length >= 3 && (bytes[0] & 0xff) == 0xEF && (bytes[1] & 0xff) == 0xBB && (bytes[2] & 0xff) == 0xBF ? 3 : 0;
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, start, bytes.length - start);
        try {
            String text = dec.decode(in).toString();
            int nul = text.indexOf('\0');
            if (nul >= 0) {
                int[] lc = lineColumn(text, nul);
                throw refuse(file, lc[0], lc[1], "NUL byte: this is not a text file");
            }
            return text;
        } catch (MalformedInputException e) {
            int bad = in.position();
            String before = new String(bytes, start, bad - start, StandardCharsets.UTF_8);
            int[] lc = lineColumn(before, before.length());
            throw refuse(file, lc[0], lc[1], String.format("not valid UTF-8 (byte 0x%02X at offset %d); policies must be UTF-8", bytes[bad] & 0xff, bad));
        } catch (CharacterCodingException e) {
            throw refuse(file, 1, 1, "not valid UTF-8");
        }
    }

    private static int[] lineColumn(String text, int upTo) {
        int line = 1, col = 1;
        for (int i = 0; i < upTo; i++) {
            if (text.charAt(i) == '\n') { line++; col = 1; } else col++;
        }
        return new int[] {line, col};
    }

    private static InvalidInputException refuseAt(String file, Optional<Mark> mark, String message) {
        return refuse(file, mark.map(m -> m.getLine() + 1).orElse(1), mark.map(m -> m.getColumn() + 1).orElse(1), message);
    }

    private static InvalidInputException refuse(String file, Mark m, String message) {
        return refuse(file, m == null ? 1 : m.getLine() + 1, m == null ? 1 : m.getColumn() + 1, message);
    }

    private static InvalidInputException refuse(String file, int line, int column, String message) {
        return new InvalidInputException(List.of(new Problem(file, line, column, "", message)));
    }
}
