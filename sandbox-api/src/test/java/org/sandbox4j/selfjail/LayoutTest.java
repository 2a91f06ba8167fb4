package org.sandbox4j.selfjail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sandbox4j.Sandbox;
import org.sandbox4j.mount.MountOp;

/**
 * Where SelfJail's mounts go among the caller's (issue #18), as the ordered list of mounts the jail
 * is built from. The kernel side (the jailed JVM finds its class path) is in {@link SelfJailTest}.
 */
class LayoutTest {
    @TempDir
    Path tmp;

    private static List<String> layout(List<MountOp> caller, java.util.function.Consumer<SelfJail.Layout> mine) {
        SelfJail.Layout l = new SelfJail.Layout(caller);
        mine.accept(l);
        Sandbox.Builder b = Sandbox.builder();
        l.emit(b);
        return b.build().mountOps().stream().map(MountOp::describe).toList();
    }

    /** SelfJail's own bind of {@code p}: from its real path, refusing symlinks at setup. */
    private static String ro(Path p) {
        try {
            return "readOnly(" + q(p.toRealPath()) + ", " + q(p) + ", NO_SYMLINKS)";
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String q(Path p) {
        return '"' + p.toString() + '"';
    }

    /** The case: the working directory is the class path directory: bound, no placeholder over it. */
    @Test
    void theWorkingDirectoryThatIsAClassPathDirectoryIsBoundNotHidden() throws Exception {
        Path app = Files.createDirectory(tmp.resolve("app"));
        List<String> ops = layout(List.of(), l -> {
            l.readOnly(app, "the class path entry", true);
            l.placeholder(app);
        });
        assertEquals(List.of(ro(app)), ops);
    }

    /** Working directory above a class path directory: the empty directory first, then the bind inside it. */
    @Test
    void aWorkingDirectoryAboveTheClassPathGetsItsPlaceholderBeforeTheBind() throws Exception {
        Path classes = Files.createDirectories(tmp.resolve("app/classes"));
        List<String> ops = layout(List.of(), l -> {
            l.readOnly(classes, "the class path entry", true);
            l.placeholder(classes.getParent());
        });
        assertEquals(List.of("dir(" + q(classes.getParent()) + ")", ro(classes)), ops);
    }

    /** Working directory inside a class path directory: shown by the bind, no placeholder in a read-only tree. */
    @Test
    void aWorkingDirectoryInsideTheClassPathIsShownByIt() throws Exception {
        Path sub = Files.createDirectories(tmp.resolve("app/sub"));
        List<String> ops = layout(List.of(), l -> {
            l.readOnly(sub.getParent(), "the class path entry", true);
            l.placeholder(sub);
        });
        assertEquals(List.of(ro(sub.getParent())), ops);
    }

    /** Two of SelfJail's own binds, child named first: the parent goes first and the child is not bound again. */
    @Test
    void selfJailsOwnNestedBindsAreOrderedAndDeduplicated() throws Exception {
        Path lib = Files.createDirectories(tmp.resolve("app/lib"));
        Path jar = Files.writeString(lib.resolve("a.jar"), "");
        List<String> ops = layout(List.of(), l -> {
            l.readOnly(jar, "the class path entry", true);
            l.readOnly(tmp.resolve("app"), "the class path entry", true);
        });
        assertEquals(List.of(ro(tmp.resolve("app"))), ops);
    }

    /** The caller's read-write bind inside a class path directory stays on top of SelfJail's bind. */
    @Test
    void theCallersMountInsideAClassPathDirectoryStaysOnTop() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("app/data"));
        MountOp rw = new MountOp.Bind(data.toString(), data.toString(), false, false, false);
        List<String> ops = layout(List.of(rw), l -> l.readOnly(data.getParent(), "the class path entry", true));
        assertEquals(List.of(ro(data.getParent()), "readWrite(" + q(data) + ")"), ops);
    }

    /**
     * The caller's file, or a bind whose mount point the host directory lacks, inside a directory
     * SelfJail binds read-only: an error naming both (the launcher could not create them there).
     */
    @Test
    void aCallersFileOrMissingMountPointInsideAClassPathDirectoryIsAnErrorNamingBoth() throws Exception {
        Path app = Files.createDirectories(tmp.resolve("app"));
        MountOp file = new MountOp.File(app.resolve("conf").toString(), new byte[0], 0444);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> layout(List.of(file), l -> l.readOnly(app, "the class path entry", true)));
        assertTrue(e.getMessage().contains(file.describe()) && e.getMessage().contains(app.toString()), e.getMessage());
        MountOp bind = new MountOp.Bind("/usr/share", app.resolve("missing").toString(), true, false, false);
        e = assertThrows(IllegalStateException.class,
                () -> layout(List.of(bind), l -> l.readOnly(app, "the class path entry", true)));
        assertTrue(e.getMessage().contains("does not exist there"), e.getMessage());
        // Control: under the caller's own tmpfs inside the directory, the file is fine.
        MountOp t = new MountOp.Tmpfs(app.resolve("etc").toString(), 0, 0755, false);
        Files.createDirectory(app.resolve("etc"));
        MountOp inTmpfs = new MountOp.File(app.resolve("etc/conf").toString(), new byte[0], 0444);
        assertEquals(3, layout(List.of(t, inTmpfs), l -> l.readOnly(app, "the class path entry", true)).size());
    }

    /** Under the caller's tmpfs, SelfJail's bind goes after it (on top), not before (hidden). */
    @Test
    void aBindUnderTheCallersTmpfsGoesOnTopOfIt() throws Exception {
        Path classes = Files.createDirectories(tmp.resolve("classes"));
        MountOp t = new MountOp.Tmpfs(tmp.toString(), 0, 0755, false);
        List<String> ops = layout(List.of(t), l -> l.readOnly(classes, "the class path entry", true));
        assertEquals(2, ops.size(), ops.toString());
        assertTrue(ops.get(0).startsWith("tmpfs(") && ops.get(1).equals(ro(classes)), ops.toString());
    }

    /** The caller covers the class path with another source: an error naming the path and the call. */
    @Test
    void aCallersBindOfOtherContentOverTheClassPathIsAnErrorNamingBoth() throws Exception {
        Path classes = Files.createDirectories(tmp.resolve("app/classes"));
        MountOp other = new MountOp.Bind("/usr/share", tmp.resolve("app").toString(), true, false, false);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> layout(List.of(other), l -> l.readOnly(classes, "the class path entry", true)));
        assertTrue(e.getMessage().contains(classes.toString())
                && e.getMessage().contains("readOnly(\"/usr/share\", " + q(tmp.resolve("app")) + ")"), e.getMessage());
        // Not required (the time zone, say): the caller's mount wins, SelfJail adds nothing.
        assertEquals(List.of(other.describe()), layout(List.of(other), l -> l.readOnly(classes, "a file", false)));
    }
}
