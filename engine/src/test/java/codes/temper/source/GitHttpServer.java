package codes.temper.source;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jgit.errors.RepositoryNotFoundException;
import org.eclipse.jgit.http.server.GitServlet;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * A real Git smart-HTTP server for tests and the benchmark: JGit's GitServlet on embedded Jetty,
 * on 127.0.0.1 and a free port, serving the bare repositories under a directory. A filter counts
 * requests, upload-pack POSTs (object negotiation/transfer) and body bytes both ways; optionally
 * another demands HTTP basic credentials.
 */
public final class GitHttpServer implements AutoCloseable {
    public final AtomicLong requests = new AtomicLong();
    public final AtomicLong uploadPackPosts = new AtomicLong();
    public final AtomicLong bytesIn = new AtomicLong();
    public final AtomicLong bytesOut = new AtomicLong();
    private final Path repos;
    private final String user;
    private final String password;
    private Server server;
    private int port;

    /** @param user null: no authentication */
    public GitHttpServer(Path repos, String user, String password) {
        this.repos = repos;
        this.user = user;
        this.password = password;
    }

    public GitHttpServer start() throws Exception {
        return start(0);
    }

    /** Starts on {@code port} (0: any free one; a fixed one to restart on the same URL). */
    public GitHttpServer start(int wanted) throws Exception {
        GitServlet git = new GitServlet();
        git.setRepositoryResolver((req, name) -> {
            Path dir = repos.resolve(name).normalize();
            if (!dir.startsWith(repos) || !Files.isDirectory(dir)) throw new RepositoryNotFoundException(name);
            try {
                return new FileRepositoryBuilder().setGitDir(dir.toFile()).setBare().setMustExist(true).build();
            } catch (IOException e) {
                throw new RepositoryNotFoundException(name, e);
            }
        });
        server = new Server();
        ServerConnector c = new ServerConnector(server);
        c.setHost("127.0.0.1");
        c.setPort(wanted);
        server.addConnector(c);
        ServletContextHandler ctx = new ServletContextHandler();
        ctx.addFilter(new FilterHolder(new Counting()), "/*", EnumSet.of(DispatcherType.REQUEST));
        if (user != null) ctx.addFilter(new FilterHolder(new BasicAuth()), "/*", EnumSet.of(DispatcherType.REQUEST));
        ctx.addServlet(new ServletHolder(git), "/*");
        server.setHandler(ctx);
        server.start();
        port = c.getLocalPort();
        return this;
    }

    public int port() {
        return port;
    }

    public String url(String repo) {
        return "http://127.0.0.1:" + port + "/" + repo;
    }

    public void resetCounters() {
        requests.set(0);
        uploadPackPosts.set(0);
        bytesIn.set(0);
        bytesOut.set(0);
    }

    @Override
    public void close() throws Exception {
        if (server != null) server.stop();
    }

    private final class Counting implements Filter {
        @Override
        public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
            HttpServletRequest hr = (HttpServletRequest) req;
            requests.incrementAndGet();
            if (hr.getMethod().equals("POST") && hr.getRequestURI().endsWith("/git-upload-pack")) uploadPackPosts.incrementAndGet();
            chain.doFilter(new CountingRequest(hr), new CountingResponse((HttpServletResponse) res));
        }
    }

    private final class BasicAuth implements Filter {
        @Override
        public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
            String expected = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
            if (expected.equals(((HttpServletRequest) req).getHeader("Authorization"))) {
                chain.doFilter(req, res);
                return;
            }
            HttpServletResponse r = (HttpServletResponse) res;
            r.setHeader("WWW-Authenticate", "Basic realm=\"policies\"");
            r.sendError(401);
        }
    }

    private final class CountingRequest extends HttpServletRequestWrapper {
        CountingRequest(HttpServletRequest r) {
            super(r);
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            ServletInputStream in = super.getInputStream();
            return new ServletInputStream() {
                @Override
                public int read() throws IOException {
                    int b = in.read();
                    if (b >= 0) bytesIn.incrementAndGet();
                    return b;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int n = in.read(b, off, len);
                    if (n > 0) bytesIn.addAndGet(n);
                    return n;
                }

                @Override
                public boolean isFinished() {
                    return in.isFinished();
                }

                @Override
                public boolean isReady() {
                    return in.isReady();
                }

                @Override
                public void setReadListener(ReadListener l) {
                    in.setReadListener(l);
                }
            };
        }
    }

    private final class CountingResponse extends HttpServletResponseWrapper {
        CountingResponse(HttpServletResponse r) {
            super(r);
        }

        @Override
        public ServletOutputStream getOutputStream() throws IOException {
            ServletOutputStream out = super.getOutputStream();
            return new ServletOutputStream() {
                @Override
                public void write(int b) throws IOException {
                    out.write(b);
                    bytesOut.incrementAndGet();
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                    bytesOut.addAndGet(len);
                }

                @Override
                public void flush() throws IOException {
                    out.flush();
                }

                @Override
                public void close() throws IOException {
                    out.close();
                }

                @Override
                public boolean isReady() {
                    return out.isReady();
                }

                @Override
                public void setWriteListener(WriteListener l) {
                    out.setWriteListener(l);
                }
            };
        }
    }
}
