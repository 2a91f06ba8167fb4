package org.sandbox4j.examples.workers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code sandbox4j example pdf|xml|image|external [FILE]...}: runs an example on the given files, or,
 * without files, on inputs it makes itself: a good document and hostile ones.
 */
public final class Demos {
    private Demos() {}

    /** The example names this class runs. */
    public static final List<String> NAMES = List.of("pdf", "xml", "image", "external", "tika");

    public static void run(String name, List<String> files) throws Exception {
        if (name.equals("tika")) { // makes its own corpus
            TikaExample.main(new String[0]);
            return;
        }
        List<String> inputs = files.isEmpty() ? makeInputs(name) : files;
        String[] args = inputs.toArray(new String[0]);
        switch (name) {
            case "pdf":
                PdfExample.main(args);
                break;
            case "xml":
                XmlExample.main(args);
                break;
            case "image":
                ImageExample.main(args);
                break;
            case "external":
                for (String f : args) {
                    System.out.println("== " + f);
                    ExternalExample.main(new String[] {f});
                }
                break;
            default:
                throw new IllegalArgumentException("unknown example " + name);
        }
    }

    private static List<String> makeInputs(String name) throws IOException {
        Path dir = Files.createTempDirectory("sandbox4j-example-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        dir.toFile().deleteOnExit();
        List<String> out = new ArrayList<>();
        switch (name) {
            case "pdf":
                out.add(write(dir, "good.pdf", Documents.goodPdf("Hello from a jailed PDFBox")));
                out.add(write(dir, "huge-page-tree.pdf", Documents.hugePageTree()));
                out.add(write(dir, "decompression-bomb.pdf", Documents.decompressionBombPdf()));
                out.add(write(dir, "malformed-xref.pdf", Documents.malformedXref()));
                break;
            case "external":
                out.add(write(dir, "good.pdf", Documents.goodPdf("Hello from a jailed pdftotext")));
                out.add(write(dir, "malformed-xref.pdf", Documents.malformedXref()));
                break;
            case "image":
                out.add(write(dir, "bomb.png", Documents.pngBomb()));
                break;
            case "xml": {
                Path secret = dir.resolve("host-secret.txt");
                Files.writeString(secret, "host-secret-" + ProcessHandle.current().pid());
                secret.toFile().deleteOnExit();
                String xxe = "<?xml version=\"1.0\"?>\n<!DOCTYPE d [<!ENTITY s SYSTEM \"file://" + secret + "\">]>\n"
                        + "<d>secret: &s;</d>\n";
                out.add(write(dir, "plain.xml", "<d>hello from a jailed XML parser</d>".getBytes(StandardCharsets.UTF_8)));
                out.add(write(dir, "external-entity.xml", xxe.getBytes(StandardCharsets.UTF_8)));
                break;
            }
            default:
                throw new IllegalArgumentException("unknown example " + name);
        }
        return out;
    }

    private static String write(Path dir, String name, byte[] content) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, content);
        f.toFile().deleteOnExit();
        return f.toString();
    }
}
