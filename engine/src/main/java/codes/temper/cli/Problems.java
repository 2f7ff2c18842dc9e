package codes.temper.cli;

import codes.temper.yaml.InvalidInputException;
import java.io.PrintWriter;

/** How every command reports refused input: one problem per line, then a count. */
final class Problems {
    private Problems() {
    }

    static int print(PrintWriter err, InvalidInputException e) {
        e.problems().forEach(err::println);
        err.println(e.problems().size() + " problem(s) found");
        return 1;
    }
}
