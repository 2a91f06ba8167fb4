package org.sandbox4j.worker;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.sandbox4j.Sandbox;
import org.sandbox4j.SandboxedProcess;
import org.sandbox4j.limits.Rlimit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Class-data sharing for worker JVMs: one dynamic CDS archive per JDK, class path and handler, made
 * once and reused by every later worker of that class path (a fresh JVM then maps the classes it
 * would otherwise load, verify and link).
 *
 * <p>The archive is made by a <em>training worker</em>: a worker JVM in the same jail (plus a tmpfs
 * at {@code /cds}) that constructs the handler, never sees a request, dumps its loaded classes with
 * the {@code VM.cds dynamic_dump} diagnostic command into {@code /cds}, and sends the archive back
 * over its stdout in chunks. This JVM writes it into the cache directory, which must belong to this
 * JVM's user and be writable by no one else (created 0700); workers see the archive file alone,
 * bound read-only at {@link #JAIL_PATH}. No jail can write the cache, and no archive is made from a
 * JVM that has read a document.
 *
 * <p>HotSpot archives classes from jar files only: a class path with a directory gets no archive
 * (logged once at INFO) and its workers start as before.
 */
final class CdsCache {
    private static final Logger LOG = LoggerFactory.getLogger(CdsCache.class);
    /** Where a worker sees its archive. */
    static final String JAIL_PATH = "/cds/worker.jsa";
    private static final String DUMP_PATH = "/cds-dump/worker.jsa";
    private static final long MAX_ARCHIVE = 1L << 30;

    private final Path dir;
    private final ConcurrentHashMap<String, Object> locks = new ConcurrentHashMap<>();
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    CdsCache(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    /** The default cache: {@code $XDG_CACHE_HOME/sandbox4j/cds}, else {@code ~/.cache/sandbox4j/cds}. */
    static Path defaultDir() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && xdg.startsWith("/") ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("sandbox4j").resolve("cds");
    }

    Path dir() {
        return dir;
    }

    /**
     * The archive for this worker command line, made now if missing; empty when CDS cannot be used
     * (a directory on the class path, a cache directory that is not private, a failed training run).
     */
    Optional<Path> archive(WorkerSpec spec, String handler, List<Path> cp, List<String> command) {
        for (Path p : cp) {
            if (Files.isDirectory(p)) {
                once("dir:" + p, "class-data sharing skipped: the class path has the directory " + p
                        + " (HotSpot archives classes from jars only)");
                return Optional.empty();
            }
        }
        String key;
        try {
            checkPrivate();
            key = key(command, cp);
        } catch (IOException e) {
            once("dir", "class-data sharing skipped: " + e.getMessage());
            return Optional.empty();
        }
        Path archive = dir.resolve(key + ".jsa");
        synchronized (locks.computeIfAbsent(key, k -> new Object())) {
            if (Files.isRegularFile(archive, LinkOption.NOFOLLOW_LINKS)) {
                return Optional.of(archive);
            }
            try {
                train(spec, handler, command, archive);
                return Optional.of(archive);
            } catch (IOException | InterruptedException e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                once("train:" + key, "class-data sharing skipped for " + handler + ": the training worker failed: "
                        + e.getMessage());
                return Optional.empty();
            }
        }
    }

    private void once(String what, String message) {
        if (warned.add(what)) {
            LOG.info(message);
        }
    }

    /** Creates the directory 0700 or checks an existing one: ours, a real directory, writable by us alone. */
    private void checkPrivate() throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(dir.getParent());
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // made meanwhile: checked below
            }
        }
        PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        Object uid = Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        if (!a.isDirectory() || !uid.equals((int) org.sandbox4j.internal.LibC.geteuid())
                || a.permissions().contains(PosixFilePermission.GROUP_WRITE)
                || a.permissions().contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new IOException("the cache directory " + dir + " must be a directory of uid " + org.sandbox4j.internal.LibC.geteuid()
                    + " that no one else can write");
        }
    }

    /** A digest of the command line and of each class path entry's size and modification time. */
    private static String key(List<String> command, List<Path> cp) throws IOException {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (String s : command) {
                d.update(s.getBytes(StandardCharsets.UTF_8));
                d.update((byte) 0);
            }
            List<Path> files = new ArrayList<>(cp);
            files.add(Path.of(command.get(0)).getParent().getParent().resolve("lib/modules"));
            for (Path p : files) {
                if (Files.exists(p)) {
                    d.update((p + "\0" + Files.size(p) + "\0" + Files.getLastModifiedTime(p).toMillis() + "\0")
                            .getBytes(StandardCharsets.UTF_8));
                }
            }
            return HexFormat.of().formatHex(d.digest()).substring(0, 32);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IOException(e);
        }
    }

    /** Runs the training worker and stores what it sends as {@code archive} (a temp file, then a rename). */
    private void train(WorkerSpec spec, String handler, List<String> command, Path archive)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(command);
        int main = cmd.indexOf(WorkerMain.class.getName());
        cmd.add(main, "-XX:+RecordDynamicDumpInfo");
        cmd.add(main + 2, WorkerMain.CDS_DUMP);
        cmd.add(main + 3, DUMP_PATH);
        Sandbox jail = spec.sandboxFor(handler).toBuilder().tmpfs("/cds-dump", MAX_ARCHIVE)
                .rlimit(Rlimit.FSIZE, MAX_ARCHIVE).build();
        long t0 = System.nanoTime();
        SandboxedProcess p = jail.start(cmd);
        Path tmp = Files.createTempFile(dir, "training-", ".tmp");
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(p.getInputStream(), 1 << 16));
                OutputStream file = new BufferedOutputStream(Files.newOutputStream(tmp))) {
            p.getOutputStream().close();
            Thread err = drain(p);
            long total = 0;
            while (true) {
                Frames.Reply r = Frames.readReply(in, Frames.CHUNK);
                if (r.status() == Frames.READY) {
                    continue;
                }
                if (r.status() == Frames.CHUNK_OUT) {
                    total += r.payload().length;
                    if (total > MAX_ARCHIVE) {
                        throw new IOException("the archive exceeds " + MAX_ARCHIVE + " bytes");
                    }
                    file.write(r.payload());
                    continue;
                }
                if (r.status() != Frames.OK) {
                    throw new IOException("the training worker failed: " + new String(r.payload(), StandardCharsets.UTF_8)
                            .lines().limit(2).toList());
                }
                break;
            }
            file.close();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                throw new IOException("the training worker did not exit");
            }
            err.join(2000);
            // readable by the jail's user (the archive holds only the application's own classes), written by no one
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("r--r--r--"));
            try {
                Files.move(tmp, archive, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, archive);
            }
            LOG.info("class-data sharing: archived {}'s classes ({} KiB) in {} ms: {}", handler, total >> 10,
                    (System.nanoTime() - t0) / 1_000_000, archive);
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            Files.deleteIfExists(tmp);
        }
    }

    /** Reads the training worker's stderr (to DEBUG), so it never blocks on a full pipe. */
    private static Thread drain(SandboxedProcess p) {
        Thread t = new Thread(() -> {
            try {
                org.sandbox4j.internal.BoundedLines r = new org.sandbox4j.internal.BoundedLines(p.getErrorStream(), 8192);
                for (String l; (l = r.readLine()) != null; ) {
                    LOG.debug("[cds training] {}", l);
                }
            } catch (IOException e) {
                // the jail ended
            }
        }, "sandbox4j-cds-training");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
