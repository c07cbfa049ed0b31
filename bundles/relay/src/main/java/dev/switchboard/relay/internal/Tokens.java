package dev.switchboard.relay.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The relay's secrets: client tokens compared in constant time (as SHA-256 digests, so neither
 * content nor length leaks through timing), and unguessable single-use connection ids.
 */
final class Tokens {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    private final List<byte[]> digests;

    Tokens(List<String> tokens) {
        this.digests = tokens.stream().filter(t -> !t.isBlank()).map(Tokens::digest).toList();
    }

    /** Whether {@code token} is one of the configured tokens; every token is compared. */
    boolean accepts(String token) {
        byte[] candidate = digest(token);
        boolean accepted = false;
        for (byte[] digest : digests) {
            accepted |= MessageDigest.isEqual(digest, candidate);
        }
        return accepted && !token.isBlank();
    }

    static boolean same(String expected, String given) {
        return MessageDigest.isEqual(digest(expected), digest(given));
    }

    /** 256 random bits, URL-safe. */
    static String connectionId() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** A DNS label: what a tunnel may be called. */
    static boolean validName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java", e);
        }
    }
}
