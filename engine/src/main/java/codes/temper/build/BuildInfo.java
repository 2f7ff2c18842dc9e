package codes.temper.build;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * What was built and what runs it: the version the build wrote into {@code build.properties}
 * (Maven resource filtering) and the Java runtime. For the start line of the log and
 * {@code temper_build_info}, so a fleet mid-rollout shows which nodes run which build.
 */
public final class BuildInfo {
    /** "dev" only when the classes did not come from a Maven build (an IDE's own compile). */
    public static final String VERSION = read();
    public static final String JAVA_VERSION = Runtime.version().toString();

    private BuildInfo() {
    }

    private static String read() {
        try (InputStream in = BuildInfo.class.getResourceAsStream("build.properties")) {
            if (in == null) return "dev";
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "");
            return v.isBlank() || v.startsWith("${") ? "dev" : v;
        } catch (IOException e) {
            return "dev";
        }
    }
}
