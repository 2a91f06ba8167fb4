package org.sandbox4j.worker;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The streaming handler of the tests: the input's first line is the verb, the rest the document.
 * As a {@link WorkerHandler} it is {@link TestHandler}.
 */
public final class StreamTestHandler implements StreamingHandler, WorkerHandler {
    private final TestHandler plain = new TestHandler();

    @Override
    public byte[] handle(byte[] request) throws Exception {
        return plain.handle(request);
    }

    @Override
    public Map<String, String> handle(InputStream in, OutputStream out) throws Exception {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
            line.write(c);
        }
        String verb = line.toString(StandardCharsets.UTF_8);
        Map<String, String> md = new LinkedHashMap<>();
        md.put("heap", Long.toString(Runtime.getRuntime().maxMemory()));
        switch (verb) {
            case "echo": {
                // copies the document and digests it: the worker holds one buffer, whatever the size
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                byte[] buf = new byte[8192];
                long n = 0;
                for (int k; (k = in.read(buf)) >= 0; n += k) {
                    sha.update(buf, 0, k);
                    out.write(buf, 0, k);
                }
                md.put("bytes", Long.toString(n));
                md.put("sha256", HexFormat.of().formatHex(sha.digest()));
                return md;
            }
            case "head":
                // reads a little and stops: the rest of the input is skipped by the worker
                out.write(in.readNBytes(10));
                return md;
            case "fail":
                out.write("partial".getBytes(StandardCharsets.UTF_8));
                out.flush();
                throw new IllegalArgumentException("not a document");
            case "meta":
                out.write("the text\nof it".getBytes(StandardCharsets.UTF_8));
                md.put("dc:title", "a title\nwith a newline and a NUL \0 and é");
                md.put("empty", "");
                return md;
            default:
                if (verb.startsWith("sleep:")) {
                    Thread.sleep(Long.parseLong(verb.substring(6)));
                    return md;
                }
                throw new IllegalArgumentException("unknown verb " + verb);
        }
    }
}
