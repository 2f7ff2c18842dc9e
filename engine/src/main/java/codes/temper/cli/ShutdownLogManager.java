package codes.temper.cli;

import java.util.logging.LogManager;

/**
 * java.util.logging's manager, except that its own shutdown hook does not close the handlers. The
 * JDK's hook resets logging while other hooks still run, so the agent's hook, which stands the
 * scheduler down on SIGTERM, could not log what it did. The console handler flushes every record,
 * so nothing is lost by leaving it open until the process ends. Installed by {@link Main#main}
 * through {@code java.util.logging.manager}, the JDK's documented hook for this (Log4j and WildFly
 * install theirs for the same reason).
 */
public final class ShutdownLogManager extends LogManager {

    @Override
    public void reset() {
        if (Thread.currentThread().getClass().getName().equals("java.util.logging.LogManager$Cleaner")) return;
        super.reset();
    }
}
