package org.sandbox4j.lockdown;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sandbox4j.landlock.LandlockPlan;

/**
 * Fewer Landlock rules for the same files: regular files with the same rights whose directory holds
 * nothing else (every entry a regular file of the group, no subdirectory, no other name) become one
 * rule on that directory, with the same file rights. A class path of jars in one lib/ directory is
 * the case this is for: 96 rules become 1. Before Landlock ABI 8 every thread builds its own domain
 * from the ruleset, so the rule count multiplies with the thread count.
 *
 * <p>What changes: a file created in such a directory after the lockdown is covered too. The
 * lockdown grants no write there (a merged rule carries only the group's rights, which are the
 * read-only ones when the files were read-only), so the process itself cannot add one.
 */
final class MergedRules {
    private MergedRules() {}

    /** A group needs at least this many files before a directory listing is worth it. */
    private static final int MIN_GROUP = 2;

    static List<LandlockPlan.Path> merge(List<LandlockPlan.Path> rules) {
        Map<String, List<LandlockPlan.Path>> groups = new LinkedHashMap<>();
        for (LandlockPlan.Path r : rules) {
            Path p = Path.of(r.path());
            Path parent = p.getParent();
            if (parent == null || !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            groups.computeIfAbsent(parent + "\0" + r.access(), k -> new ArrayList<>()).add(r);
        }
        Map<LandlockPlan.Path, LandlockPlan.Path> replaced = new LinkedHashMap<>();
        for (List<LandlockPlan.Path> g : groups.values()) {
            if (g.size() < MIN_GROUP) {
                continue;
            }
            Path dir = Path.of(g.get(0).path()).getParent();
            if (onlyThese(dir, g)) {
                LandlockPlan.Path d = new LandlockPlan.Path(dir.toString(), g.get(0).access());
                for (LandlockPlan.Path r : g) {
                    replaced.put(r, d);
                }
            }
        }
        if (replaced.isEmpty()) {
            return rules;
        }
        List<LandlockPlan.Path> out = new ArrayList<>();
        Set<LandlockPlan.Path> added = new HashSet<>();
        for (LandlockPlan.Path r : rules) {
            LandlockPlan.Path d = replaced.getOrDefault(r, r);
            if (added.add(d)) {
                out.add(d);
            }
        }
        return out;
    }

    /** Whether every entry of {@code dir} is a regular file named in {@code group}. */
    private static boolean onlyThese(Path dir, List<LandlockPlan.Path> group) {
        Set<String> names = new HashSet<>();
        for (LandlockPlan.Path r : group) {
            names.add(Path.of(r.path()).getFileName().toString());
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path e : s) {
                if (!names.contains(e.getFileName().toString()) || !Files.isRegularFile(e, LinkOption.NOFOLLOW_LINKS)) {
                    return false;
                }
            }
        } catch (IOException | SecurityException e) {
            return false;
        }
        return true;
    }
}
