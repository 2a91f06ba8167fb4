package org.sandbox4j.internal;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The file actions of one posix_spawn, in order, as plain values: {@link NativeCalls#posixSpawn}
 * turns them into a {@code posix_spawn_file_actions_t} of its own.
 */
public final class SpawnActions {
    /** One action: dup2(fd, newFd) when {@code path} is null, else open(path, flags, mode) at newFd. */
    public record Action(int fd, int newFd, @Nullable String path, int flags, int mode) {}

    private final List<Action> actions = new ArrayList<>();

    public void dup2(int fd, int newFd) {
        actions.add(new Action(fd, newFd, null, 0, 0));
    }

    public void open(int fd, String path, int flags, int mode) {
        actions.add(new Action(-1, fd, path, flags, mode));
    }

    public List<Action> actions() {
        return actions;
    }
}
