package dev.switchboard.router.internal;

import dev.switchboard.api.Author;
import dev.switchboard.api.Message;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The messages a stopping router could not deliver, kept in the router bundle's data folder until
 * the next router (the same bundle updated, or started again) delivers them: gateway PID →
 * destination endpoint → messages in order. Only JDK types are written and read back (a message's
 * data is JSON-compatible), so a newer router reads what an older one wrote.
 */
final class HeldMessages {

    private static final int FORMAT = 1;
    private static final ObjectInputFilter JDK_ONLY = info -> {
        Class<?> type = info.serialClass();
        while (type != null && type.isArray()) {
            type = type.getComponentType();
        }
        return type == null || type.isPrimitive() || type.getName().startsWith("java.")
                ? ObjectInputFilter.Status.ALLOWED : ObjectInputFilter.Status.REJECTED;
    };

    private HeldMessages() {
    }

    /** Writes {@code held} to {@code file} (atomically replacing it); nothing is written when there is nothing held. */
    static void save(Path file, Map<String, Map<String, List<Message>>> held) throws IOException {
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        try (ObjectOutputStream out = new ObjectOutputStream(new BufferedOutputStream(Files.newOutputStream(partial)))) {
            out.writeInt(FORMAT);
            out.writeInt(held.size());
            for (Map.Entry<String, Map<String, List<Message>>> gateway : held.entrySet()) {
                out.writeUTF(gateway.getKey());
                out.writeInt(gateway.getValue().size());
                for (Map.Entry<String, List<Message>> queue : gateway.getValue().entrySet()) {
                    out.writeUTF(queue.getKey());
                    out.writeInt(queue.getValue().size());
                    for (Message message : queue.getValue()) {
                        write(out, message);
                    }
                }
            }
        }
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Reads and deletes {@code file}; an empty map when there is none. */
    static Map<String, Map<String, List<Message>>> take(Path file) throws IOException {
        Map<String, Map<String, List<Message>>> held = new LinkedHashMap<>();
        if (!Files.exists(file)) {
            return held;
        }
        try (ObjectInputStream in = new ObjectInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            in.setObjectInputFilter(JDK_ONLY);
            if (in.readInt() != FORMAT) {
                throw new IOException("unknown format");
            }
            for (int gateways = in.readInt(); gateways > 0; gateways--) {
                Map<String, List<Message>> queues = held.computeIfAbsent(in.readUTF(), pid -> new LinkedHashMap<>());
                for (int endpoints = in.readInt(); endpoints > 0; endpoints--) {
                    List<Message> messages = queues.computeIfAbsent(in.readUTF(), endpoint -> new ArrayList<>());
                    for (int count = in.readInt(); count > 0; count--) {
                        messages.add(read(in));
                    }
                }
            }
        } catch (ClassNotFoundException | ClassCastException e) {
            throw new IOException("unreadable: " + e.getMessage(), e);
        } finally {
            Files.deleteIfExists(file);
        }
        return held;
    }

    private static void write(ObjectOutputStream out, Message message) throws IOException {
        out.writeObject(message.id());
        out.writeObject(message.endpoint());
        out.writeObject(message.channel());
        out.writeObject(message.author().id());
        out.writeObject(message.author().name());
        out.writeObject(message.event());
        out.writeObject(message.text());
        out.writeObject(message.data());
        out.writeObject(message.time());
        out.writeObject(new ArrayList<>(message.hops()));
    }

    @SuppressWarnings("unchecked")
    private static Message read(ObjectInputStream in) throws IOException, ClassNotFoundException {
        String id = (String) in.readObject();
        String endpoint = (String) in.readObject();
        String channel = (String) in.readObject();
        Author author = new Author((String) in.readObject(), (String) in.readObject());
        return Message.builder(endpoint, channel).id(id).author(author).event((String) in.readObject())
                .text((String) in.readObject()).data(in.readObject()).time((Instant) in.readObject())
                .hops((List<String>) in.readObject()).build();
    }
}
