package dev.switchboard.transport.internal;

import jakarta.websocket.Session;
import java.lang.reflect.Field;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.nio.NIOTransport;
import org.glassfish.tyrus.core.ProtocolHandler;
import org.glassfish.tyrus.core.TyrusWebSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves a Tyrus client connection's reads to its selector thread
 * ({@link TyrusInternals.Internal#CLIENT_SELECTOR}): Tyrus gives each client connection a Grizzly
 * transport of its own, one selector thread and a worker pool, and hands every read to a worker,
 * disabling and enabling the socket's read interest around it (a thread switch and two
 * {@code epoll_ctl} per read). The way to the Grizzly connection is private: the socket's
 * {@code protocolHandler}, its {@code writer}, the Grizzly writer's {@code connection}.
 */
final class ClientWire {

    private static final Logger LOG = LoggerFactory.getLogger(ClientWire.class);
    private static final Field PROTOCOL_HANDLER = field(TyrusWebSocket.class, "protocolHandler");
    private static final Field WRITER = field(ProtocolHandler.class, "writer");

    private ClientWire() {
    }

    /** Whether this Tyrus has the fields (the Grizzly writer's is checked per connection). */
    static boolean available() {
        return PROTOCOL_HANDLER != null && WRITER != null;
    }

    /** Runs the reads of {@code socket}'s connection on its selector thread; false when it cannot. */
    static boolean keepOnSelector(TyrusWebSocket socket) {
        try {
            Object writer = WRITER.get(PROTOCOL_HANDLER.get(socket));
            Field connection = connectionField(writer.getClass());
            connection.setAccessible(true);
            if (!(connection.get(writer) instanceof Connection<?> wire) || !(wire.getTransport() instanceof NIOTransport transport)) {
                return false;
            }
            StreamAwareIOStrategy.keepOnSelector(wire);
            transport.setIOStrategy(StreamAwareIOStrategy.INSTANCE);
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debug("a client connection's reads stay on Tyrus's workers: {}", e.toString());
            return false;
        }
    }

    /** The Grizzly writer's {@code connection}; the client's writer is an anonymous subclass of it. */
    private static Field connectionField(Class<?> writer) throws NoSuchFieldException {
        for (Class<?> type = writer; type != null; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                if (field.getName().equals("connection")) {
                    return field;
                }
            }
        }
        throw new NoSuchFieldException(writer.getName() + ".connection");
    }

    private static Field field(Class<?> type, String name) {
        try {
            Field field = type.getDeclaredField(name);
            field.setAccessible(true);
            return field;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.info("Tyrus's {}.{} is not reachable ({}); client reads go through its worker pool",
                    type.getSimpleName(), name, e.toString());
            return null;
        }
    }
}
