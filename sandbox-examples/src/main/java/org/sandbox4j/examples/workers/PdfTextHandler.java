package org.sandbox4j.examples.workers;

import java.nio.charset.StandardCharsets;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.sandbox4j.worker.WorkerHandler;

/** Runs in a jailed worker: PDF bytes in, their text (UTF-8) out, with Apache PDFBox. */
public final class PdfTextHandler implements WorkerHandler {
    @Override
    public byte[] handle(byte[] pdf) throws Exception {
        try (PDDocument doc = Loader.loadPDF(pdf)) {
            return new PDFTextStripper().getText(doc).getBytes(StandardCharsets.UTF_8);
        }
    }
}
