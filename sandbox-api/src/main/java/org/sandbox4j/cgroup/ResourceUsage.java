package org.sandbox4j.cgroup;

import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What a jail used, read from its cgroup when it ended (after every process in it was gone).
 *
 * <pre>{@code
 * process.waitFor();
 * process.jailExit().usage().ifPresent(u -> log.info("peak {} bytes, cpu {}", u.peakMemoryBytes(), u.cpuTime()));
 * }</pre>
 *
 * @param peakMemoryBytes the most memory charged to the jail at once ({@code memory.peak} on v2,
 *     {@code memory.max_usage_in_bytes} on v1), -1 when the kernel does not say (v2 before 5.19)
 * @param cpuTime CPU time of every process of the jail ({@code cpu.stat usage_usec} on v2, {@code
 *     cpuacct.usage} on v1), null when not measured
 * @param oomKills processes the OOM killer ended in the jail ({@code memory.events oom_kill}, v1
 *     {@code memory.oom_control oom_kill}), -1 when not measured
 * @param pidsLimitHits forks refused by {@code pids.max} ({@code pids.events max}), -1 when not measured
 * @param memoryLimitBytes the memory limit that applied, -1 when none
 * @param pidsLimit the process limit that applied, -1 when none
 */
public record ResourceUsage(long peakMemoryBytes, @Nullable Duration cpuTime, long oomKills, long pidsLimitHits,
        long memoryLimitBytes, long pidsLimit) {

    /** {@link #cpuTime()} as an optional. */
    public Optional<Duration> cpu() {
        return Optional.ofNullable(cpuTime);
    }

    /** The limit the jail ran into: memory when the OOM killer acted, else processes when a fork was refused. */
    public Optional<ResourceLimit> limitReached() {
        if (oomKills > 0) {
            return Optional.of(ResourceLimit.MEMORY);
        }
        return pidsLimitHits > 0 ? Optional.of(ResourceLimit.PIDS) : Optional.empty();
    }

    /** "memory limit 64 MiB reached" for {@link ResourceLimit#MEMORY}, and so on. */
    public String describe(ResourceLimit limit) {
        return switch (limit) {
            case MEMORY -> "memory limit" + (memoryLimitBytes >= 0 ? " " + CgroupLimits.formatBytes(memoryLimitBytes) : "")
                    + " reached (" + oomKills + " process" + (oomKills == 1 ? "" : "es") + " killed by the kernel's OOM killer)";
            case PIDS -> "process limit" + (pidsLimit >= 0 ? " " + pidsLimit : "") + " reached (" + pidsLimitHits
                    + " fork" + (pidsLimitHits == 1 ? "" : "s") + " refused)";
        };
    }
}
