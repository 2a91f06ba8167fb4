package org.sandbox4j.examples.workers;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The tika example's documents, made at run time (nothing is downloaded): benign ones of each common
 * kind and the hostile ones a document service meets.
 */
final class TikaCorpus {
    private TikaCorpus() {}

    /** Name to bytes: plain text, HTML, PDF (made with PDFBox), DOCX and ODT (zips made here). */
    static Map<String, byte[]> benign() throws IOException {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("text", "Hello from a plain text file.\nSecond line.\n".getBytes(StandardCharsets.UTF_8));
        m.put("html", ("<!DOCTYPE html><html><head><title>An HTML page</title></head>"
                + "<body><h1>Hello HTML</h1><p>A paragraph.</p></body></html>").getBytes(StandardCharsets.UTF_8));
        m.put("pdf", Documents.goodPdf("Hello PDF"));
        m.put("docx", docx("Hello DOCX"));
        m.put("odt", odt("Hello ODT"));
        return m;
    }

    /** Name to bytes; {@code secretPath} is a host file the XXE document tries to read. */
    static Map<String, byte[]> hostile(String secretPath) throws IOException {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("zip-bomb", zipBomb());
        m.put("xxe", ("<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file://" + secretPath
                + "\">]><r>before &x; after</r>").getBytes(StandardCharsets.UTF_8));
        m.put("billion-laughs", billionLaughs());
        m.put("huge-image", Documents.hugePng(40000));
        m.put("nested-pdf", nestedPdf(100_000));
        byte[] loop = new byte[TikaHandler.LOOP_MARKER.length + 16];
        System.arraycopy(TikaHandler.LOOP_MARKER, 0, loop, 0, TikaHandler.LOOP_MARKER.length);
        m.put("parser-loop", loop);
        return m;
    }

    private static void entry(ZipOutputStream z, String name, String text) throws IOException {
        z.putNextEntry(new ZipEntry(name));
        z.write(text.getBytes(StandardCharsets.UTF_8));
        z.closeEntry();
    }

    /** The smallest DOCX Word and POI open: content types, the package relation, one paragraph. */
    static byte[] docx(String text) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            entry(z, "[Content_Types].xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                    + "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
                    + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
                    + "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
                    + "<Override PartName=\"/word/document.xml\" ContentType=\"application/"
                    + "vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>");
            entry(z, "_rels/.rels", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                    + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                    + "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
                    + "relationships/officeDocument\" Target=\"word/document.xml\"/></Relationships>");
            entry(z, "word/document.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                    + "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
                    + "<w:body><w:p><w:r><w:t>" + text + "</w:t></w:r></w:p></w:body></w:document>");
        }
        return out.toByteArray();
    }

    /** The smallest ODT: the stored mimetype first, the manifest, the content. */
    static byte[] odt(String text) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            byte[] mime = "application/vnd.oasis.opendocument.text".getBytes(StandardCharsets.US_ASCII);
            ZipEntry e = new ZipEntry("mimetype");
            e.setMethod(ZipEntry.STORED);
            e.setSize(mime.length);
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update(mime);
            e.setCrc(crc.getValue());
            z.putNextEntry(e);
            z.write(mime);
            z.closeEntry();
            entry(z, "META-INF/manifest.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                    + "<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\">"
                    + "<manifest:file-entry manifest:full-path=\"/\" manifest:media-type=\"application/"
                    + "vnd.oasis.opendocument.text\"/><manifest:file-entry manifest:full-path=\"content.xml\""
                    + " manifest:media-type=\"text/xml\"/></manifest:manifest>");
            entry(z, "content.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                    + "<office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\""
                    + " xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\"><office:body><office:text>"
                    + "<text:p>" + text + "</text:p></office:text></office:body></office:document-content>");
        }
        return out.toByteArray();
    }

    /** A zip of about 300 KiB holding one text file of 300 MiB. */
    static byte[] zipBomb() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            z.setLevel(Deflater.BEST_COMPRESSION);
            z.putNextEntry(new ZipEntry("bomb.txt"));
            byte[] line = "all work and no play makes jack a dull boy ".repeat(1 << 12).getBytes(StandardCharsets.US_ASCII);
            for (long n = 0; n < (300L << 20); n += line.length) {
                z.write(line);
            }
            z.closeEntry();
        }
        return out.toByteArray();
    }

    /** Ten levels of entities, each ten of the one below: 10^10 "lol"s if a parser expanded them. */
    static byte[] billionLaughs() {
        StringBuilder sb = new StringBuilder("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol0 \"lol\">\n");
        for (int i = 1; i <= 10; i++) {
            sb.append("<!ENTITY lol").append(i).append(" \"");
            for (int k = 0; k < 10; k++) {
                sb.append("&lol").append(i - 1).append(';');
            }
            sb.append("\">\n");
        }
        sb.append("]>\n<lolz>&lol10;</lolz>\n");
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** A PDF whose page content is an array nested {@code depth} levels deep (a recursive parser's stack). */
    static byte[] nestedPdf(int depth) {
        String nested = "[".repeat(depth) + "]".repeat(depth);
        return Documents.pdf("<< /Type /Catalog /Pages 2 0 R >>",
                "<< /Type /Pages /Count 1 /Kids [3 0 R] >>",
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Annots " + nested + " >>");
    }
}
