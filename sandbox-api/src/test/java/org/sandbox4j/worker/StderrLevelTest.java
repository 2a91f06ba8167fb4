package org.sandbox4j.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

class StderrLevelTest {
    private static Level of(String line) {
        return new StderrLevel().of(line);
    }

    @Test
    void theCommonFormatsKeepTheirLevel() {
        assertEquals(Level.WARN, of("[main] WARN org.apache.tika.config.InitializableProblemHandler - JBIG2 missing"));
        assertEquals(Level.ERROR, of("12:00:01.123 [main] ERROR o.a.pdfbox.pdfparser - broken xref"));
        assertEquals(Level.WARN, of("2026-12-04 04:00:00,123 WARN  [main] a.B: text"));
        assertEquals(Level.ERROR, of("SEVERE: the parser failed"));
        assertEquals(Level.WARN, of("WARNING: An illegal reflective access operation has occurred"));
        assertEquals(Level.WARN, of("[0.012s][warning][cds] Archived non-system classes are disabled"));
        assertEquals(Level.ERROR, of("ERROR StatusLogger Log4j2 could not find a logging implementation"));
        assertEquals(Level.DEBUG, of("[main] DEBUG a.B - detail"));
        assertEquals(Level.INFO, of("[main] INFO a.B - started"));
    }

    @Test
    void plainTextIsInfoAndAWordInsideTextIsNotALevel() {
        assertEquals(Level.INFO, of("hello from the handler"));
        assertEquals(Level.INFO, of("the word ERROR deep inside a long sentence of many many words"));
        assertEquals(Level.INFO, of(""));
    }

    @Test
    void aStackTraceTakesTheLevelOfTheLineItContinues() {
        StderrLevel s = new StderrLevel();
        assertEquals(Level.ERROR, s.of("Exception in thread \"main\" java.lang.IllegalStateException: boom"));
        assertEquals(Level.ERROR, s.of("\tat a.B.c(B.java:1)"));
        assertEquals(Level.ERROR, s.of("Caused by: java.io.IOException: x"));
        assertEquals(Level.ERROR, s.of("\t... 3 more"));
        assertEquals(Level.INFO, s.of("next"));
        assertEquals(Level.WARN, s.of("[main] WARN a.B - with trace"));
        assertEquals(Level.WARN, s.of("java.lang.RuntimeException: x".isEmpty() ? "" : "\tat x.Y.z(Y.java:2)"));
    }
}
