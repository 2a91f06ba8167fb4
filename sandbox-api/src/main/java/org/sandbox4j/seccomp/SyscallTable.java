package org.sandbox4j.seccomp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.sandbox4j.Arch;

/**
 * The system call names and numbers of one architecture, generated from the kernel's own tables
 * (Linux 6.18, committed under {@code sandbox-api/tools/syscalls/}) and any newer installed UAPI
 * headers by {@code sandbox-api/tools/gen-syscall-tables.py} into {@code syscalls-<arch>.tsv}.
 * Every compiled policy answers numbers above {@link #maxNumber()} with ENOSYS.
 *
 * <pre>{@code
 * SyscallTable t = SyscallTable.of(Arch.AARCH64);
 * t.number("read");            // OptionalInt[63]
 * t.number("open");            // empty: arm64 only has openat
 * t.name(63);                  // "read"
 * }</pre>
 */
public final class SyscallTable {
    private static final Map<Arch, SyscallTable> TABLES = new EnumMap<>(Arch.class);

    private final Arch arch;
    private final Map<String, Integer> byName;
    private final Map<Integer, String> byNumber;

    private SyscallTable(Arch arch, Map<String, Integer> byName) {
        this.arch = arch;
        this.byName = Collections.unmodifiableMap(byName);
        Map<Integer, String> inv = new TreeMap<>();
        byName.forEach((n, nr) -> inv.putIfAbsent(nr, n));
        this.byNumber = Collections.unmodifiableMap(inv);
    }

    /** The table of {@code arch}, loaded once from the class path. */
    public static synchronized SyscallTable of(Arch arch) {
        return TABLES.computeIfAbsent(arch, SyscallTable::load);
    }

    /** The resource name of the table of {@code arch}. */
    static String resourceName(Arch arch) {
        return "syscalls-" + archName(arch) + ".tsv";
    }

    /** {@code x86_64} or {@code aarch64}: the names used in resources and tools. */
    static String archName(Arch arch) {
        return arch == Arch.X86_64 ? "x86_64" : "aarch64";
    }

    private static SyscallTable load(Arch arch) {
        Map<String, Integer> map = new LinkedHashMap<>();
        for (String[] f : tsvRows(resourceName(arch))) {
            map.put(f[0], Integer.parseInt(f[1].trim()));
        }
        return new SyscallTable(arch, map);
    }

    /**
     * The tab-separated fields of each line of resource {@code res} of this package (the syscall
     * tables and the argument-name tables), blank lines and {@code #} comments skipped.
     */
    static List<String[]> tsvRows(String res) {
        List<String[]> rows = new ArrayList<>();
        try (InputStream in = SyscallTable.class.getResourceAsStream(res)) {
            if (in == null) {
                throw new IllegalStateException("missing resource org/sandbox4j/seccomp/" + res);
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    rows.add(line.split("\t"));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + res, e);
        }
        return rows;
    }

    /** This table without the calls numbered above {@code max}: the table of an older kernel. */
    SyscallTable upTo(int max) {
        Map<String, Integer> map = new LinkedHashMap<>();
        byName.forEach((n, nr) -> {
            if (nr <= max) {
                map.put(n, nr);
            }
        });
        return new SyscallTable(arch, map);
    }

    /** The architecture whose numbers this table holds. */
    public Arch arch() {
        return arch;
    }

    /** The number of a canonical (kernel header) name, without alias resolution. */
    public OptionalInt number(String name) {
        Integer nr = byName.get(name);
        return nr == null ? OptionalInt.empty() : OptionalInt.of(nr);
    }

    /** The canonical name of a number, or null if the kernel defines none. */
    public @Nullable String name(int nr) {
        return byNumber.get(nr);
    }

    /** All names and their numbers, in header order by number. */
    public Map<String, Integer> entries() {
        return byName;
    }

    /** The highest system call number of this architecture. */
    public int maxNumber() {
        return byName.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    }
}
