package dev.switchboard.proxy.internal;

import java.nio.ByteBuffer;
import java.util.Objects;

/** One frame of the tunnel protocol (PROTOCOL.md §2): what {@link ProxyCodec} reads and writes. */
public sealed interface TunnelFrame {

    byte OPEN = 0x01;
    byte ACCEPT = 0x02;
    byte DATA = 0x03;
    byte END = 0x04;
    byte RESET = 0x05;
    byte WINDOW = 0x06;
    byte PING = 0x07;
    byte PONG = 0x08;

    /** 0 for PING and PONG, the stream's id otherwise. */
    int streamId();

    /** Controller → agent: a new stream to {@code service}, starting with the HTTP request head. */
    record Open(int streamId, String service, ByteBuffer head) implements TunnelFrame {
        public Open {
            Objects.requireNonNull(service, "service");
            head = head.asReadOnlyBuffer();
        }
    }

    /** Agent → controller: the service answered; {@code head} is its HTTP response head. */
    record Accept(int streamId, ByteBuffer head) implements TunnelFrame {
        public Accept {
            head = head.asReadOnlyBuffer();
        }
    }

    /** Bytes of a stream; the buffer is the receiver's to keep until it has written them onward. */
    record Data(int streamId, ByteBuffer bytes) implements TunnelFrame {
    }

    /** The sender's half of the stream is done. */
    record End(int streamId) implements TunnelFrame {
    }

    /** The stream is gone both ways, with a code of {@link ResetCode} and a reason in words. */
    record Reset(int streamId, ResetCode code, String reason) implements TunnelFrame {
        public Reset {
            Objects.requireNonNull(code, "code");
            reason = reason == null ? "" : reason;
        }
    }

    /** Credit of {@code increment} more bytes for the receiver of this frame to send on the stream. */
    record Window(int streamId, int increment) implements TunnelFrame {
    }

    record Ping(long payload) implements TunnelFrame {
        @Override
        public int streamId() {
            return 0;
        }
    }

    record Pong(long payload) implements TunnelFrame {
        @Override
        public int streamId() {
            return 0;
        }
    }
}
