package codes.temper.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TextTest {

    @Test
    void redactionMasksTheUserPartAndTheQueryOfEveryUrlButKeepsAnSshAccount() {
        assertThat(Redaction.text("cannot fetch from https://ghp_abc123@github.com/o/r.git: https://ghp_abc123@github.com/o/r.git/info/refs"))
                .isEqualTo("cannot fetch from https://***@github.com/o/r.git: https://***@github.com/o/r.git/info/refs");
        assertThat(Redaction.text("https://h.example/r.git?private_token=t0k&x=1#main")).isEqualTo("https://h.example/r.git?***#main");
        assertThat(Redaction.text("https://x-access-token:t0k@h/r.git")).isEqualTo("https://***@h/r.git");
        assertThat(Redaction.text("ssh://git@h/r.git and git@h:r.git")).isEqualTo("ssh://git@h/r.git and git@h:r.git");
        assertThat(Redaction.text("no url here")).isEqualTo("no url here");
        assertThat(Redaction.text(null)).isNull();
    }

    @Test
    void printableEscapesControlsAndBidiOverridesOnly() {
        assertThat(Printable.escape("a\nb\u001b[31m\u202ec\tä")).isEqualTo("a\\nb\\u001b[31m\\u202ec\\tä");
        assertThat(Printable.escape("plain")).isSameAs("plain");
    }
}
