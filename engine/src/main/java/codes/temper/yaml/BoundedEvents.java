package codes.temper.yaml;

import java.util.Optional;
import java.util.function.Supplier;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.parser.Parser;

/**
 * The parser's events on their way to the composer, counted as they pass: a file's nesting depth,
 * documents and aliases are bounded before the composer, which recurses, takes in the event that
 * would exceed them. The composer consumes every event through {@link #next()}, in order, so this
 * sees what a separate counting pass over the same text saw, and the text is parsed once, not
 * twice (a pre-pass did that: a third of the time of reading a node's pods).
 */
final class BoundedEvents implements Parser {

    /** A bound exceeded, where; thrown through the composer, whose iterator cannot throw a checked exception. */
    static final class Exceeded extends RuntimeException {
        private final transient Optional<Mark> mark;

        Exceeded(Optional<Mark> mark, String message) {
            super(message, null, false, false);
            this.mark = mark;
        }

        Optional<Mark> mark() {
            return mark;
        }
    }

    private final Parser events;
    private final Limits limits;
    private int depth, documents, aliases;
    /** The parser threw, or a bound was exceeded: the events end there. */
    private boolean failed;

    BoundedEvents(Parser events, Limits limits) {
        this.events = events;
        this.limits = limits;
    }

    @Override
    public boolean checkEvent(Event.ID id) {
        return noted(() -> events.checkEvent(id));
    }

    @Override
    public Event peekEvent() {
        return noted(events::peekEvent);
    }

    @Override
    public boolean hasNext() {
        return noted(events::hasNext);
    }

    @Override
    public Event next() {
        Event ev = noted(events::next);
        try {
            count(ev);
        } catch (Exceeded e) {
            failed = true;
            throw e;
        }
        return ev;
    }

    /**
     * Each call may make the parser read on, and so find an error: noted, so that
     * firstProblem(...) knows whether the events ended with it.
     */
    private <T> T noted(Supplier<T> step) {
        try {
            return step.get();
        } catch (RuntimeException e) {
            failed = true;
            throw e;
        }
    }

    /**
     * The problem to report when reading stopped at {@code e}. An error of the composer's own (an
     * undefined alias, a recursive key) is found where the composer gets to; an exceeded bound or
     * a syntax error further on was found first when the bounds had a pass of their own before
     * composing, and is still the one reported: the rest of the events are counted for it.
     */
    RuntimeException firstProblem(RuntimeException e) {
        if (failed) return e;
        try {
            while (hasNext()) next();
        } catch (Exceeded | YamlEngineException later) {
            return later;
        }
        return e;
    }

    private void count(Event ev) {
        switch (ev.getEventId()) {
            case MappingStart, SequenceStart -> {
                if (++depth > limits.maxDepth()) throw new Exceeded(ev.getStartMark(), "nesting deeper than " + limits.maxDepth() + " levels");
            }
            case MappingEnd, SequenceEnd -> depth--;
            case DocumentStart -> {
                if (++documents > limits.maxDocuments()) throw new Exceeded(ev.getStartMark(),
                        "more than " + limits.maxDocuments() + " documents in one file");
            }
            case Alias -> {
                if (++aliases > limits.maxAliases()) throw new Exceeded(ev.getStartMark(), limits.maxAliases() == 0
                        ? "aliases (*name) are not accepted in this input; refusing a possible YAML bomb"
                        : "more than " + limits.maxAliases() + " aliases; refusing a possible YAML bomb");
            }
            default -> { }
        }
    }
}
