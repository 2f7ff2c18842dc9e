package codes.temper.yaml;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Input that was refused, with every problem found (not only the first), in the order a reader
 * goes through the input: file by file as they were read, each from its first line to its last.
 * (Checks that look at a whole document find their problems after the per-field ones.)
 */
public final class InvalidInputException extends Exception {
    private final List<Problem> problems;

    public InvalidInputException(List<Problem> problems) {
        this(inReadingOrder(problems), true);
    }

    private InvalidInputException(List<Problem> sorted, boolean unused) {
        super(sorted.size() + " problem(s), first: " + sorted.getFirst());
        this.problems = sorted;
    }

    private static List<Problem> inReadingOrder(List<Problem> problems) {
        Map<String, Integer> fileOrder = new HashMap<>();
        for (Problem p : problems) fileOrder.putIfAbsent(p.file(), fileOrder.size());
        List<Problem> out = new ArrayList<>(problems);
        out.sort(Comparator.<Problem>comparingInt(p -> fileOrder.get(p.file())).thenComparingInt(Problem::line)
                .thenComparingInt(Problem::column));
        return List.copyOf(out);
    }

    public List<Problem> problems() {
        return problems;
    }
}
