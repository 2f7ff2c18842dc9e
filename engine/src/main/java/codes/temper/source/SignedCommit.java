package codes.temper.source;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A commit split as git splits it for verification ({@code parse_buffer_signed_by_header} in
 * git's commit.c): in the header block, before the first empty line, a line starting
 * {@code "gpgsig "} or {@code "gpgsig-sha256 "} begins a signature header, and every following
 * line starting with a space continues it. Those lines are left out of the payload; everything
 * else, message included, is payload byte for byte. JGit gives the signature itself
 * ({@code RevCommit.getRawGpgSignature}) but not the payload, nor how many signature headers there
 * were, and a commit with two must be refused, not judged by its first.
 *
 * @param payload               the bytes the signature covers
 * @param signatureHeaders      how many {@code gpgsig} headers there were
 * @param otherSignatureHeaders how many {@code gpgsig-sha256} headers there were
 */
record SignedCommit(byte[] payload, int signatureHeaders, int otherSignatureHeaders) {

    private static final byte[] GPGSIG = "gpgsig ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] GPGSIG_SHA256 = "gpgsig-sha256 ".getBytes(StandardCharsets.US_ASCII);

    static SignedCommit split(byte[] raw) {
        ByteArrayOutputStream payload = new ByteArrayOutputStream(raw.length);
        int headers = 0;
        int others = 0;
        boolean inSignature = false;
        int line = 0;
        while (line < raw.length) {
            int next = nextLine(raw, line);
            if (raw[line] == '\n') {
                // End of the header block: the rest is payload as it is.
                payload.write(raw, line, raw.length - line);
                break;
            }
            if (inSignature && raw[line] == ' ') {
                // a continuation line of a signature header: not payload
            } else if (startsWith(raw, line, GPGSIG)) {
                inSignature = true;
                headers++;
            } else if (startsWith(raw, line, GPGSIG_SHA256)) {
                inSignature = true;
                others++;
            } else {
                inSignature = false;
                payload.write(raw, line, next - line);
            }
            line = next;
        }
        return new SignedCommit(payload.toByteArray(), headers, others);
    }

    private static int nextLine(byte[] raw, int from) {
        for (int i = from; i < raw.length; i++) {
            if (raw[i] == '\n') {
                return i + 1;
            }
        }
        return raw.length;
    }

    static boolean startsWith(byte[] raw, int at, byte[] prefix) {
        if (raw.length - at < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (raw[at + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
