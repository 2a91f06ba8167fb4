package org.sandbox4j.examples.workers;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;

/** Good and hostile documents, made by the tests themselves. */
final class Documents {
    private Documents() {}

    static byte[] goodPdf(String text) throws IOException {
        try (PDDocument doc = new PDDocument(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            PDPage page = new PDPage();
            doc.addPage(page);
            try (PDPageContentStream cs = new PDPageContentStream(doc, page)) {
                cs.beginText();
                cs.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 12);
                cs.newLineAtOffset(72, 700);
                cs.showText(text);
                cs.endText();
            }
            doc.save(out);
            return out.toByteArray();
        }
    }

    /** A PDF assembled from object bodies, with a correct xref table. */
    static byte[] pdf(String... objects) {
        StringBuilder sb = new StringBuilder("%PDF-1.7\n");
        int[] offsets = new int[objects.length];
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < objects.length; i++) {
            offsets[i] = sb.length();
            sb.append(i + 1).append(" 0 obj\n").append(objects[i]).append("\nendobj\n");
        }
        int xref = sb.length();
        sb.append("xref\n0 ").append(objects.length + 1).append("\n0000000000 65535 f \n");
        for (int o : offsets) {
            sb.append(String.format("%010d 00000 n \n", o));
        }
        sb.append("trailer\n<< /Size ").append(objects.length + 1).append(" /Root 1 0 R >>\nstartxref\n")
                .append(xref).append("\n%%EOF\n");
        out.writeBytes(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }

    /** A page tree 200,000 levels deep that claims two billion pages. */
    static byte[] hugePageTree() {
        int depth = 200_000;
        String[] objs = new String[depth + 3];
        objs[0] = "<< /Type /Catalog /Pages 2 0 R >>";
        for (int i = 0; i < depth; i++) {
            int self = i + 2;
            String parent = i == 0 ? "" : " /Parent " + (self - 1) + " 0 R";
            objs[i + 1] = "<< /Type /Pages /Count 2000000000 /Kids [" + (self + 1) + " 0 R]" + parent + " >>";
        }
        objs[depth + 1] = "<< /Type /Page /Parent " + (depth + 1) + " 0 R /MediaBox [0 0 612 792] /Contents "
                + (depth + 3) + " 0 R >>";
        objs[depth + 2] = "<< /Length 0 >>\nstream\n\nendstream";
        return pdf(objs);
    }

    /** A page whose content stream inflates from about 1 MiB to 1 GiB. */
    static byte[] decompressionBombPdf() throws IOException {
        byte[] deflated = deflatedSpaces(1L << 30);
        byte[] head = pdf("<< /Type /Catalog /Pages 2 0 R >>",
                "<< /Type /Pages /Count 1 /Kids [3 0 R] >>",
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
                "<< /Length " + deflated.length + " /Filter /FlateDecode >>\nstream\n@@\nendstream");
        String s = new String(head, StandardCharsets.ISO_8859_1);
        int at = s.indexOf("@@");
        // the stream's bytes replace the placeholder; the xref offsets before it stay right, and
        // PDFBox repairs the ones after it (it would anyway: that is not what this test is about)
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(head, 0, at);
        out.write(deflated);
        out.write(head, at + 2, head.length - at - 2);
        return out.toByteArray();
    }

    static byte[] malformedXref() {
        return ("%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 7 0 R\nxref\n0 99999999\n0000000000 6553 f \n"
                + "garbage garbage\ntrailer\n<< /Size -5 /Root 42 0 R /Prev 999999999 >>\nstartxref\n-17\n%%EOF\n")
                .getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] deflatedSpaces(long size) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] chunk = new byte[1 << 20];
        java.util.Arrays.fill(chunk, (byte) ' ');
        try (DeflaterOutputStream d = new DeflaterOutputStream(out, new Deflater(Deflater.BEST_SPEED), 1 << 16)) {
            for (long n = 0; n < size; n += chunk.length) {
                d.write(chunk);
            }
        }
        return out.toByteArray();
    }

    /** A PNG whose header says {@code side} × {@code side} pixels, RGB, with a small IDAT of deflated zeros. */
    static byte[] hugePng(int side) throws IOException {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.allocate(13).putInt(side).putInt(side);
        ihdr.put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(png, "IHDR", ihdr.array());
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        try (DeflaterOutputStream d = new DeflaterOutputStream(z)) {
            d.write(new byte[16 << 20]);
        }
        chunk(png, "IDAT", z.toByteArray());
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    /** A PNG that says 20000 x 20000 RGB (1.2 GB decoded), with a small IDAT of deflated zeros. */
    static byte[] pngBomb() throws IOException {
        return hugePng(20000);
    }

    private static void chunk(ByteArrayOutputStream png, String type, byte[] data) {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        png.writeBytes(java.nio.ByteBuffer.allocate(4).putInt(data.length).array());
        png.writeBytes(t);
        png.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        png.writeBytes(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
