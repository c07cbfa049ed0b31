package dev.switchboard.itests.distribution;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The TCP sockets a process listens on, read from Linux's /proc (no traffic sent anywhere). */
final class ListeningSockets {

    private static final String LISTEN = "0A";

    private ListeningSockets() {
    }

    /** Local addresses ("0100007F:1F90" style, as /proc shows them) of {@code pid}'s listening sockets. */
    static List<String> of(long pid) throws IOException {
        Set<String> inodes = new HashSet<>();
        try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException closedMeanwhile) {
                    // the descriptor went away while listing: not a listener we care about
                }
            }
        }
        List<String> addresses = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path file = Path.of(table);
            if (!Files.exists(file)) {
                continue;
            }
            // read once: the table changes between two reads
            List<String> lines = Files.readAllLines(file);
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 9 && LISTEN.equals(f[3]) && inodes.contains(f[9])) {
                    addresses.add(f[1]);
                }
            }
        }
        return addresses;
    }

    /** True for 127.0.0.1 in /proc's IPv4 or IPv4-mapped IPv6 notation. */
    static boolean isLoopback(String procAddress) {
        String host = procAddress.substring(0, procAddress.indexOf(':'));
        return host.equals("0100007F") || host.equals("0000000000000000FFFF00000100007F");
    }
}
