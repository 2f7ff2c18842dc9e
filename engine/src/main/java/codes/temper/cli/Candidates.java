package codes.temper.cli;

import java.util.Iterator;
import java.util.List;

/**
 * What completion offers for the options whose values are words, spelt as the help spells them and
 * as people type them. Picocli would offer an enum's constant names (SYSTEMD, DRY_RUN), which the
 * help never shows.
 */
final class Candidates {
    private Candidates() {
    }

    private abstract static class Words implements Iterable<String> {
        private final List<String> words;

        Words(String... words) {
            this.words = List.of(words);
        }

        @Override
        public Iterator<String> iterator() {
            return words.iterator();
        }
    }

    static final class CgroupDrivers extends Words {
        CgroupDrivers() {
            super("systemd", "cgroupfs");
        }
    }

    static final class SchedulerDrivers extends Words {
        SchedulerDrivers() {
            super("auto", "bpf", "dry-run");
        }
    }

    static final class LogFormats extends Words {
        LogFormats() {
            super("text", "json");
        }
    }

    static final class ListFormats extends Words {
        ListFormats() {
            super("table", "wide", "name", "json", "yaml", "jsonpath=");
        }
    }
}
