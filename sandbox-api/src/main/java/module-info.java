/**
 * sandbox4j: jailed processes, seccomp, Landlock, cgroups and lockdown for Java programs on Linux.
 * Exports the API packages; {@code org.sandbox4j.internal} (the wire to the launcher, JNA bindings)
 * is not exported. JNA's direct mapping reflects on the binding classes, hence the qualified opens.
 * On JDK 22+, grant native access by module name: {@code
 * --enable-native-access=org.sandbox4j,com.sun.jna} (this module's FFM calls on 22+, JNA where it
 * is used; {@code ALL-UNNAMED} on the class path), see docs/getting-started.md.
 */
module org.sandbox4j {
    requires org.slf4j;
    requires com.sun.jna;
    requires static org.jspecify;
    requires java.management;
    requires jdk.jfr;
    requires static jdk.unsupported;

    exports org.sandbox4j;
    exports org.sandbox4j.caps;
    exports org.sandbox4j.cgroup;
    exports org.sandbox4j.config;
    exports org.sandbox4j.landlock;
    exports org.sandbox4j.limits;
    exports org.sandbox4j.lockdown;
    exports org.sandbox4j.mount;
    exports org.sandbox4j.probe;
    exports org.sandbox4j.runtime;
    exports org.sandbox4j.seccomp;
    exports org.sandbox4j.selfjail;
    exports org.sandbox4j.worker;

    opens org.sandbox4j.internal to com.sun.jna;
    opens org.sandbox4j.selfjail to com.sun.jna;
    opens org.sandbox4j.worker to com.sun.jna;
}
