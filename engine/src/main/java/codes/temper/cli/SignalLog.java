package codes.temper.cli;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import sun.misc.Signal;

/**
 * Signals the agent is not meant to get, logged instead of fatal. The JVM leaves SIGUSR1 at the
 * kernel's default, which ends the process without a word: a stray {@code kill -USR1} (a log
 * rotation script, a mistyped {@code pkill}) would take the node's scheduler down silently. The
 * JDK's {@code sun.misc.Signal} (module jdk.unsupported) is the only way Java installs a handler.
 * SIGTERM, SIGINT and SIGHUP stay with the JVM: they run the shutdown hook, which stands down.
 */
final class SignalLog {
    private static final Logger LOG = System.getLogger(SignalLog.class.getName());

    private SignalLog() {
    }

    static void ignoreAndLog(String... names) {
        for (String name : names) {
            try {
                Signal.handle(new Signal(name), s -> LOG.log(Level.WARNING,
                        "SIG{0} received and ignored; SIGTERM stands the scheduler down and exits", s.getName()));
            } catch (IllegalArgumentException e) {
                // The JVM or the platform owns this signal: it keeps its meaning.
                LOG.log(Level.DEBUG, "cannot handle SIG{0}: {1}", name, e.getMessage());
            }
        }
    }
}
