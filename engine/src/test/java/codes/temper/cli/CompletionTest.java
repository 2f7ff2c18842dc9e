package codes.temper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code temper completion}: a script bash can source, which then completes commands, options and formats. */
class CompletionTest {
    @TempDir Path tmp;

    /** compopt works only inside a completion bash itself started; here the function is called directly. */
    static final String STUBS = "compopt() { return 0; }; ";

    /** Sources the script in a fresh bash, then runs {@code commands} there; returns what they print. */
    String bash(String script, String commands) throws Exception {
        Path file = Files.writeString(tmp.resolve("temper.bash"), script);
        Process p = new ProcessBuilder("bash", "--norc", "--noprofile", "-c", "set -e; source \"$1\"; " + STUBS + commands, "bash", file.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("bash ended").isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    /** What the completion function offers for a command line ending in {@code words}. */
    static String complete(String... words) {
        return "COMP_WORDS=(temper " + String.join(" ", words) + "); COMP_CWORD=" + words.length
                + "; COMP_LINE=\"${COMP_WORDS[*]}\"; COMP_POINT=${#COMP_LINE}; _complete_temper; printf '%s\\n' \"${COMPREPLY[@]}\"";
    }

    @Test
    void bashSourcesTheScriptAndCompletesCommandsOptionsAndFormats() throws Exception {
        CliRun r = CliRun.of("completion");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("#!/usr/bin/env bash");

        assertThat(bash(r.out(), "complete -p temper")).contains("_complete_temper").contains("temper");
        assertThat(bash(r.out(), complete("st")).lines()).contains("status");
        assertThat(bash(r.out(), complete("")).lines()).contains("plan", "validate", "test", "status", "agent", "controller", "completion");
        assertThat(bash(r.out(), complete("status", "--sel")).lines()).contains("--selector");
        assertThat(bash(r.out(), complete("plan", "-o", "")).lines()).contains("table", "json", "yaml");
        assertThat(bash(r.out(), complete("test", "-o", "j")).lines()).contains("json", "junit");
    }
}
