package dev.switchboard.benchmarks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The cheapest fan-out server this driver can talk to, to measure the driver's own ceiling: one
 * NIO thread, a chat message forwarded byte for byte to each subscriber, writes batched per
 * select round. It speaks just enough of seed 002 for the driver (subscribe, message); it is not a
 * server to compare with, only the upper bound of what the driver can observe.
 */
final class RawFanoutServer extends LoopbackServer {

    private final Map<String, List<Peer>> topics = new HashMap<>();

    RawFanoutServer() throws IOException {
        super(0, 8192);
        Thread thread = new Thread(this, "raw-fanout-server");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    void dropped(Peer peer) {
        topics.values().forEach(list -> list.remove(peer));
    }

    @Override
    void read(Peer peer) throws IOException {
        byte[] a = peer.in.array();
        int end = peer.in.position();
        int p = 0;
        if (!peer.upgraded) {
            String head = new String(a, 0, end, StandardCharsets.ISO_8859_1);
            int headerEnd = head.indexOf("\r\n\r\n");
            if (headerEnd < 0) {
                return;
            }
            upgrade(peer, head.substring(0, headerEnd));
            p = headerEnd + 4;
        }
        for (long header; (header = WsConnection.frameHeader(a, p, end)) >= 0; ) {
            int opcode = a[p] & 0x0f;
            int length = (int) header;
            int maskAt = p + (int) (header >>> 32);
            if (end - maskAt < 4 + length) {
                if (maskAt + 4 + length - p > a.length) {
                    ByteBuffer bigger = ByteBuffer.allocate(maskAt + 4 + length - p + 8192);
                    bigger.put(a, p, end - p);
                    peer.in = bigger;
                    return;
                }
                break;
            }
            byte[] payload = new byte[length];
            for (int i = 0; i < length; i++) {
                payload[i] = (byte) (a[maskAt + 4 + i] ^ a[maskAt + (i & 3)]);
            }
            p = maskAt + 4 + length;
            if (opcode == 1) {
                text(peer, payload);
            } else if (opcode == 8) {
                throw new IOException("closed by the client");
            }
        }
        System.arraycopy(a, p, a, 0, end - p);
        peer.in.position(end - p);
    }

    /** {@code ["topic","event",...]}: the driver never escapes quotes in topics or events. */
    private void text(Peer peer, byte[] payload) {
        String head = new String(payload, 0, Math.min(payload.length, 200), StandardCharsets.UTF_8);
        int topicEnd = head.indexOf('"', 2);
        String topic = head.substring(2, topicEnd);
        int eventStart = head.indexOf('"', topicEnd + 1) + 1;
        String event = head.substring(eventStart, head.indexOf('"', eventStart));
        if ("subscribe".equals(event)) {
            topics.computeIfAbsent(topic, t -> new ArrayList<>()).add(peer);
            enqueue(peer, frame(("[\"" + topic + "\",\"subscribed\",{}]").getBytes(StandardCharsets.UTF_8)));
        } else if ("message".equals(event)) {
            byte[] frame = frame(payload);
            for (Peer subscriber : topics.getOrDefault(topic, List.of())) {
                enqueue(subscriber, frame);
            }
        }
    }

    private static byte[] frame(byte[] payload) {
        int length = payload.length;
        int header = length < 126 ? 2 : length < 65536 ? 4 : 10;
        ByteBuffer frame = ByteBuffer.allocate(header + length).put((byte) 0x81);
        if (length < 126) {
            frame.put((byte) length);
        } else if (length < 65536) {
            frame.put((byte) 126).putShort((short) length);
        } else {
            frame.put((byte) 127).putLong(length);
        }
        return frame.put(payload).array();
    }
}
