#!/bin/sh
# Compiles src/main/java22 (the FFM native calls) with --release 22 into
# target/classes/META-INF/versions/22, the multi-release part of the jar.
# Usage: compile-java22.sh SRC_DIR OUT_DIR CLASSPATH RUNNING_JAVA_HOME [JDK_HOME]
# The compiler: JDK_HOME (the sandbox4j.jdk22 property) if given, else the JDK running Maven
# (RUNNING_JAVA_HOME, Maven's java.home) or JAVA_HOME when 22 or newer, else the newest
# /usr/lib/jvm/*-2[2-9]* or *-[3-9][0-9]* JDK. Without any, the jar
# has no FFM classes and uses JNA on every JDK: a note says so and the build goes on.
set -eu
src=$1 out=$2 cp=$3 running=${4:-} want=${5:-}

feature() { # the major version of "$1/bin/javac", or 0
    [ -x "$1/bin/javac" ] || { echo 0; return; }
    "$1/bin/javac" -version 2>&1 | sed -n 's/^javac \([0-9][0-9]*\).*/\1/p' | head -1
}

jdk=
if [ -n "$want" ] && [ "$want" != "\${sandbox4j.jdk22}" ]; then
    [ "$(feature "$want")" -ge 22 ] 2>/dev/null || { echo "sandbox4j.jdk22=$want is not a JDK 22 or newer" >&2; exit 1; }
    jdk=$want
elif [ -n "$running" ] && [ "$(feature "$running")" -ge 22 ] 2>/dev/null; then
    jdk=$running
elif [ -n "${JAVA_HOME:-}" ] && [ "$(feature "$JAVA_HOME")" -ge 22 ] 2>/dev/null; then
    jdk=$JAVA_HOME
else
    for d in $(ls -d /usr/lib/jvm/*-2[2-9]* /usr/lib/jvm/*-[3-9][0-9]* 2>/dev/null | sort -r); do
        if [ "$(feature "$d")" -ge 22 ] 2>/dev/null; then jdk=$d; break; fi
    done
fi
if [ -z "$jdk" ]; then
    echo "[NOTE] sandbox4j: no JDK 22+ found (JAVA_HOME, /usr/lib/jvm, -Dsandbox4j.jdk22=DIR): the jar is built" \
         "without its FFM classes (META-INF/versions/22) and uses JNA on every JDK." >&2
    exit 0
fi
mkdir -p "$out"
find "$src" -name '*.java' > "$out.sources"
echo "sandbox4j: compiling $(wc -l < "$out.sources") FFM sources with $jdk/bin/javac --release 22"
"$jdk/bin/javac" --release 22 -Xlint:all,-processing,-restricted -implicit:none -d "$out" -cp "$cp" @"$out.sources"
rm -f "$out.sources"
