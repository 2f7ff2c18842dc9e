import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded, open-loop HTTP/1.1 load generator for {@code scripts/bench-status}, run as its own
 * process: {@code java scripts/StatusLoad.java --url URL --rate R --connections C --duration D
 * --warmup W}. Each of C keep-alive connections sends a request every C/R seconds on a fixed
 * schedule; a response that comes late delays the next send, and every latency is measured from
 * when the request was due, not from when it was sent (no coordinated omission: a stalled server
 * shows up in the percentiles instead of lowering the rate quietly). Bounded: never more than C
 * requests in flight and never more than R a second. Prints one line of figures, machine-readable.
 */
public final class StatusLoad {

    record Conn(Socket socket, OutputStream out, InputStream in) {
    }

    public static void main(String[] args) throws Exception {
        URI url = null;
        double rate = 2500;
        int connections = 16;
        Duration duration = Duration.ofSeconds(30), warmup = Duration.ofSeconds(10);
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--url" -> url = URI.create(args[i + 1]);
                case "--rate" -> rate = Double.parseDouble(args[i + 1]);
                case "--connections" -> connections = Integer.parseInt(args[i + 1]);
                case "--duration" -> duration = Duration.ofSeconds(Long.parseLong(args[i + 1].replace("s", "")));
                case "--warmup" -> warmup = Duration.ofSeconds(Long.parseLong(args[i + 1].replace("s", "")));
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (url == null) throw new IllegalArgumentException("--url is required");
        byte[] request = ("GET " + url.getRawPath() + " HTTP/1.1\r\nHost: " + url.getHost() + ":" + url.getPort()
                + "\r\nAccept: application/json\r\nUser-Agent: temper-status-load\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

        // Warm-up at the same rate (the JIT, the server's pools), then the measured run.
        run(url, request, rate, connections, warmup, null);
        System.out.println("STATUS_LOAD_START");
        System.out.flush();
        Result r = new Result();
        long t0 = System.nanoTime();
        run(url, request, rate, connections, duration, r);
        double seconds = (System.nanoTime() - t0) / 1e9;
        long[] lat = r.latencies();
        Arrays.sort(lat);
        System.out.printf(Locale.ROOT, "STATUS_LOAD requests=%d seconds=%.1f rate=%.0f target=%.0f connections=%d errors=%d non200=%d"
                        + " bytes=%d p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f p999_ms=%.2f max_ms=%.2f%n",
                lat.length, seconds, lat.length / seconds, rate, connections, r.errors.get(), r.non200.get(),
                lat.length == 0 ? 0 : r.bytes.get() / lat.length, pct(lat, 0.50), pct(lat, 0.90), pct(lat, 0.99), pct(lat, 0.999),
                lat.length == 0 ? 0 : lat[lat.length - 1] / 1e6);
    }

    static final class Result {
        final List<long[]> perThread = new ArrayList<>();
        final List<Integer> counts = new ArrayList<>();
        final AtomicLong errors = new AtomicLong(), non200 = new AtomicLong(), bytes = new AtomicLong();

        synchronized void add(long[] l, int n) {
            perThread.add(l);
            counts.add(n);
        }

        synchronized long[] latencies() {
            int total = counts.stream().mapToInt(Integer::intValue).sum();
            long[] all = new long[total];
            int at = 0;
            for (int i = 0; i < perThread.size(); i++) {
                System.arraycopy(perThread.get(i), 0, all, at, counts.get(i));
                at += counts.get(i);
            }
            return all;
        }
    }

    static double pct(long[] sorted, double q) {
        if (sorted.length == 0) return 0;
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    static void run(URI url, byte[] request, double rate, int connections, Duration duration, Result result) throws Exception {
        long interval = (long) (connections * 1e9 / rate);
        long start = System.nanoTime() + 50_000_000L;
        long end = start + duration.toNanos();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            long offset = c * interval / connections; // spread the connections over one interval
            threads.add(Thread.ofPlatform().name("load-" + c).start(() -> {
                long[] lat = new long[(int) (duration.toNanos() / interval) + 2];
                int n = 0;
                Conn conn = null;
                long due = start + offset;
                while (due < end) {
                    // Sleeps until due (never spins: the load generator shares the machine with the
                    // server); waking late only adds to the latency measured, never hides it.
                    long now;
                    while ((now = System.nanoTime()) < due) java.util.concurrent.locks.LockSupport.parkNanos(due - now);
                    try {
                        if (conn == null) conn = open(url);
                        conn.out().write(request);
                        conn.out().flush();
                        int[] statusAndBytes = readResponse(conn.in());
                        long done = System.nanoTime();
                        if (result != null) {
                            if (n < lat.length) lat[n++] = done - due;
                            if (statusAndBytes[0] != 200) result.non200.incrementAndGet();
                            result.bytes.addAndGet(statusAndBytes[1]);
                        }
                    } catch (IOException e) {
                        if (result != null) result.errors.incrementAndGet();
                        close(conn);
                        conn = null;
                    }
                    due += interval;
                }
                close(conn);
                if (result != null) result.add(lat, n);
            }));
        }
        for (Thread t : threads) t.join();
    }

    static Conn open(URI url) throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress(url.getHost(), url.getPort()), 5000);
        s.setSoTimeout(30_000);
        return new Conn(s, s.getOutputStream(), new BufferedInputStream(s.getInputStream(), 64 * 1024));
    }

    static void close(Conn c) {
        if (c == null) return;
        try {
            c.socket().close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    /** Reads one response (Content-Length or chunked); returns {status, body bytes}. */
    static int[] readResponse(InputStream in) throws IOException {
        String status = line(in);
        if (status == null) throw new IOException("connection closed");
        int code = Integer.parseInt(status.split(" ")[1]);
        long length = -1;
        boolean chunked = false;
        String h;
        while ((h = line(in)) != null && !h.isEmpty()) {
            String lower = h.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) length = Long.parseLong(h.substring(15).strip());
            if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) chunked = true;
        }
        int body = 0;
        if (chunked) {
            while (true) {
                String size = line(in);
                if (size == null) throw new IOException("cut in a chunk");
                int n = Integer.parseInt(size.split(";")[0].strip(), 16);
                if (n == 0) {
                    while ((h = line(in)) != null && !h.isEmpty()) {
                        // trailers
                    }
                    break;
                }
                skip(in, n);
                body += n;
                line(in);
            }
        } else if (length >= 0) {
            skip(in, length);
            body = (int) length;
        } else {
            throw new IOException("response without a length");
        }
        return new int[] {code, body};
    }

    static void skip(InputStream in, long n) throws IOException {
        while (n > 0) {
            long k = in.skip(n);
            if (k <= 0) {
                if (in.read() < 0) throw new IOException("cut in a body");
                k = 1;
            }
            n -= k;
        }
    }

    static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder(64);
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                int len = b.length();
                if (len > 0 && b.charAt(len - 1) == '\r') b.setLength(len - 1);
                return b.toString();
            }
            b.append((char) c);
        }
        return b.isEmpty() ? null : b.toString();
    }
}
