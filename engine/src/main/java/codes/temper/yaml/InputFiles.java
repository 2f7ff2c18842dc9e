package codes.temper.yaml;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads an input file the agent or the CLI was pointed at, refusing what is not a regular file
 * <em>before</em> opening it: opening a FIFO for reading waits for a writer forever, and a device
 * such as {@code /dev/zero} has no size and no end. The read itself is bounded too, so a file that
 * grows after its size was checked cannot cost more than the limit.
 */
public final class InputFiles {

    // st_mode file types (POSIX); Java's BasicFileAttributes lumps them together as "other".
    private static final int S_IFMT = 0170000, S_IFIFO = 0010000, S_IFCHR = 0020000, S_IFDIR = 0040000,
            S_IFBLK = 0060000, S_IFREG = 0100000, S_IFSOCK = 0140000;

    private InputFiles() {
    }

    /**
     * @param name     the file as the user named it, for the problem
     * @param maxBytes refuse larger files
     */
    public static byte[] read(Path file, String name, long maxBytes) throws InvalidInputException {
        try {
            // Follows symbolic links: a link to a regular file is that file.
            int type = type(file);
            if (type != S_IFREG) {
                throw refuse(name, "not a regular file (" + describe(type) + "); refusing to open it");
            }
            long size = Files.size(file);
            if (size > maxBytes) throw refuse(name, "file is " + size + " bytes; the limit is " + maxBytes);
            byte[] bytes;
            if (NonBlockingRead.available()) {
                // The path may have been swapped since the check: the open does not wait, and the
                // type is checked again on what was opened.
                var r = NonBlockingRead.read(file, maxBytes, S_IFREG, InputFiles::type);
                if (r.fileType() != S_IFREG) {
                    throw refuse(name, "not a regular file (" + describe(r.fileType()) + ", swapped in after it was checked); refusing to read it");
                }
                bytes = r.bytes();
            } else {
                try (InputStream in = Files.newInputStream(file)) {
                    bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
                }
            }
            if (bytes.length > maxBytes) throw refuse(name, "file grew past the limit of " + maxBytes + " bytes while being read");
            return bytes;
        } catch (NoSuchFileException e) {
            throw refuse(name, "no such file");
        } catch (IOException | UnsupportedOperationException e) {
            throw refuse(name, "cannot read: " + e.getMessage());
        }
    }

    private static int type(Path file) throws IOException {
        return ((Integer) Files.getAttribute(file, "unix:mode")) & S_IFMT;
    }

    /**
     * Reads standard input ({@code --pods -}), bounded like a file: a pipe has no size to check
     * first, so at most {@code maxBytes + 1} bytes are read and more is refused.
     */
    public static byte[] read(InputStream in, String name, long maxBytes) throws InvalidInputException {
        try {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (bytes.length > maxBytes) throw refuse(name, "more than the limit of " + maxBytes + " bytes");
            return bytes;
        } catch (IOException e) {
            throw refuse(name, "cannot read: " + e.getMessage());
        }
    }

    private static String describe(int type) {
        return switch (type) {
            case S_IFIFO -> "a FIFO";
            case S_IFCHR, S_IFBLK -> "a device";
            case S_IFDIR -> "a directory";
            case S_IFSOCK -> "a socket";
            default -> "file type " + Integer.toOctalString(type);
        };
    }

    private static InvalidInputException refuse(String name, String message) {
        return new InvalidInputException(List.of(new Problem(name, 1, 1, "", message)));
    }
}
