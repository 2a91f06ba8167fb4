package org.sandbox4j.examples.workers;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import javax.imageio.ImageIO;
import org.sandbox4j.worker.WorkerHandler;

/** Runs in a jailed worker: decodes an image with javax.imageio, replies "WIDTHxHEIGHT". */
public final class ImageHandler implements WorkerHandler {
    @Override
    public byte[] handle(byte[] image) throws Exception {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(image));
        if (img == null) {
            throw new IllegalArgumentException("not an image ImageIO can read");
        }
        return (img.getWidth() + "x" + img.getHeight()).getBytes(StandardCharsets.UTF_8);
    }
}
