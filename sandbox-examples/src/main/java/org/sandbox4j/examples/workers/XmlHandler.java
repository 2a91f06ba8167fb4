package org.sandbox4j.examples.workers;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import javax.xml.parsers.DocumentBuilderFactory;
import org.sandbox4j.worker.WorkerHandler;

/**
 * Runs in a jailed worker: parses XML with the JDK's parser left in its default configuration,
 * which resolves external entities (files, URLs). The jail, not the parser, keeps secrets safe.
 */
public final class XmlHandler implements WorkerHandler {
    @Override
    public byte[] handle(byte[] xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance(); // insecure on purpose: XXE on
        String text = f.newDocumentBuilder().parse(new ByteArrayInputStream(xml)).getDocumentElement().getTextContent();
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
