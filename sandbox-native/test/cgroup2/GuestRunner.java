import java.io.PrintWriter;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.engine.discovery.DiscoverySelectors;

/**
 * Runs JUnit test classes in the cgroup v2 guest (no Maven there): prints one line per test and
 * "GUEST-RESULT LABEL N passed, M failed, K skipped". Usage: java -cp CP GuestRunner.java LABEL CLASS...
 */
public class GuestRunner {
    public static void main(String[] args) {
        String label = args[0];
        LauncherDiscoveryRequestBuilder b = LauncherDiscoveryRequestBuilder.request();
        for (int i = 1; i < args.length; i++) {
            b.selectors(DiscoverySelectors.selectClass(args[i]));
        }
        LauncherDiscoveryRequest request = b.build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        TestExecutionListener lines = new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult r) {
                if (id.isTest()) {
                    TestExecutionResult.Status st = r.getStatus();
                    System.out.println("  " + (st == TestExecutionResult.Status.SUCCESSFUL ? "ok   "
                            : st == TestExecutionResult.Status.ABORTED ? "skip " : "FAIL ") + label
                            + ": " + id.getUniqueId().replaceAll(".*class:([^\\]]*)\\].*(method|template):([^(]*).*", "$1.$3") + " " + id.getDisplayName()
                            + r.getThrowable().map(t -> "\n        " + t.toString().replace("\n", "\n        ")).orElse(""));
                }
            }

            @Override
            public void executionSkipped(TestIdentifier id, String reason) {
                System.out.println("  skip  " + label + ": " + id.getDisplayName() + " (" + reason + ")");
            }
        };
        launcher.execute(request, summary, lines);
        TestExecutionSummary s = summary.getSummary();
        s.printFailuresTo(new PrintWriter(System.out), 15);
        System.out.println("GUEST-RESULT " + label + " " + s.getTestsSucceededCount() + " passed, "
                + s.getTestsFailedCount() + " failed, " + (s.getTestsSkippedCount() + s.getTestsAbortedCount()) + " skipped");
        System.exit(s.getTotalFailureCount() == 0 ? 0 : 1);
    }
}
