package org.sandbox4j.lockdown;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sandbox4j.landlock.LandlockPlan;

class MergedRulesTest {
    private static LandlockPlan.Path rule(Path p, long access) {
        return new LandlockPlan.Path(p.toString(), access);
    }

    @Test
    void filesThatAreAllOfTheirDirectoryBecomeOneRule(@TempDir Path tmp) throws Exception {
        Path lib = Files.createDirectory(tmp.resolve("lib"));
        Path a = Files.createFile(lib.resolve("a.jar"));
        Path b = Files.createFile(lib.resolve("b.jar"));
        Path other = Files.createDirectory(tmp.resolve("classes"));
        List<LandlockPlan.Path> in = List.of(rule(Path.of("/usr"), 5), rule(a, 4), rule(other, 5), rule(b, 4));
        assertEquals(List.of(rule(Path.of("/usr"), 5), rule(lib, 4), rule(other, 5)), MergedRules.merge(in));
    }

    @Test
    void aDirectoryWithAnythingElseKeepsItsFileRules(@TempDir Path tmp) throws Exception {
        Path lib = Files.createDirectory(tmp.resolve("lib"));
        Path a = Files.createFile(lib.resolve("a.jar"));
        Path b = Files.createFile(lib.resolve("b.jar"));
        Files.createFile(lib.resolve("secret.txt"));
        List<LandlockPlan.Path> in = List.of(rule(a, 4), rule(b, 4));
        assertEquals(in, MergedRules.merge(in));
        Files.delete(lib.resolve("secret.txt"));
        Files.createDirectory(lib.resolve("sub"));
        assertEquals(in, MergedRules.merge(in), "a subdirectory would be covered too");
    }

    @Test
    void filesWithDifferentRightsAreNotMerged(@TempDir Path tmp) throws Exception {
        Path a = Files.createFile(tmp.resolve("a.jar"));
        Path b = Files.createFile(tmp.resolve("b.jar"));
        List<LandlockPlan.Path> in = List.of(rule(a, 4), rule(b, 6));
        assertEquals(in, MergedRules.merge(in));
    }
}
