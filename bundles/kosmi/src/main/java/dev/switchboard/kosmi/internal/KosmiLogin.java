package dev.switchboard.kosmi.internal;

import dev.switchboard.transport.JsonResult;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The account's Kosmi token: the configured one, else the one stored from an earlier run, else a
 * new one from the anonymous login ({@code anonLogin} POSTed to the GraphQL URL), which replaces
 * the stored one. The login runs on the JDK's HTTP client without blocking any caller; one login
 * at a time. {@link #close()} ends every thread it started. Thread-safe.
 */
final class KosmiLogin implements AutoCloseable {

    private static final AtomicInteger INSTANCES = new AtomicInteger();

    /** Why a login gave no token; {@code refused} when Kosmi turned the client away (401, 403) rather than failed. */
    static final class LoginException extends Exception {

        private static final long serialVersionUID = 1L;
        private final boolean refused;

        LoginException(String reason, boolean refused) {
            super(reason);
            this.refused = refused;
        }

        boolean refused() {
            return refused;
        }
    }

    private final KosmiSettings settings;
    private final KosmiCodec codec;
    private final TokenStore store;
    private final LongAdder logins = new LongAdder();

    // guarded by this
    private String token;
    private boolean unproven;
    /*
     * Java 17's HttpClient has no close(): its selector thread ends only when interrupted or when
     * the client is garbage. That thread starts in the thread group of the thread that builds the
     * client, so the client is built on the login thread, in a group of its own that close()
     * interrupts. All three are made by the first login: a stored token needs none.
     */
    private ThreadGroup threads;
    private ExecutorService executor;
    private HttpClient http;
    private CompletableFuture<String> inFlight;
    private boolean closed;

    KosmiLogin(KosmiSettings settings, KosmiCodec codec, TokenStore store) {
        this.settings = settings;
        this.codec = codec;
        this.store = store;
        this.token = settings.token().isEmpty() ? store.load().orElse(null) : settings.token();
    }

    /** The token to present, or null when a login must get one first. */
    synchronized String token() {
        return token;
    }

    /** Kosmi took {@code accepted} (acknowledged a connection with it). */
    synchronized void accepted(String accepted) {
        if (accepted != null && accepted.equals(token)) {
            unproven = false;
        }
    }

    /**
     * True when {@code rejected} is the token a login of this run just issued and Kosmi never took:
     * logging in again would only get another one it refuses.
     */
    synchronized boolean unproven(String rejected) {
        return unproven && rejected != null && rejected.equals(token);
    }

    /** Forgets {@code rejected}, as Kosmi refused it; a token that replaced it meanwhile stays. */
    synchronized void reject(String rejected) {
        if (rejected != null && rejected.equals(token)) {
            token = null;
            unproven = false;
            store.delete();
        }
    }

    /** Logins answered so far, with or without a token. */
    long logins() {
        return logins.sum();
    }

    /**
     * Logs in anonymously unless a login is under way already; completes with the new token (kept
     * and stored) or fails with a {@link LoginException} saying why. Never blocks.
     */
    synchronized CompletableFuture<String> login() {
        if (inFlight != null) {
            return inFlight;
        }
        CompletableFuture<String> login = new CompletableFuture<>();
        if (closed) {
            login.completeExceptionally(new LoginException("endpoint stopped", false));
            return login;
        }
        inFlight = login;
        loginThread().execute(() -> post(login));
        return login;
    }

    // guarded by this
    private ExecutorService loginThread() {
        if (executor == null) {
            threads = new ThreadGroup("switchboard-kosmi-" + settings.id() + "-login-" + INSTANCES.incrementAndGet());
            executor = Executors.newSingleThreadExecutor(task -> {
                Thread thread = new Thread(threads, task, "switchboard-kosmi-" + settings.id() + "-login");
                thread.setDaemon(true);
                return thread;
            });
        }
        return executor;
    }

    /** On the login thread. */
    private void post(CompletableFuture<String> login) {
        HttpClient client;
        synchronized (this) {
            if (closed) {
                return;
            }
            if (http == null) {
                // HTTP/1.1: the JDK would otherwise offer an h2c upgrade some servers answer by not reading the body
                http = HttpClient.newBuilder().executor(executor).connectTimeout(settings.loginTimeout())
                        .version(HttpClient.Version.HTTP_1_1).build();
            }
            client = http;
        }
        HttpRequest request = HttpRequest.newBuilder(settings.graphqlUri())
                .timeout(settings.loginTimeout())
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .header("Origin", settings.origin())
                .header("User-Agent", settings.userAgent())
                .POST(HttpRequest.BodyPublishers.ofString(codec.loginRequest()))
                .build();
        client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
            if (error != null) {
                finish(login, null, new LoginException(rootMessage(error), false));
            } else if (response.statusCode() != 200) {
                int status = response.statusCode();
                finish(login, null, new LoginException("HTTP " + status, status == 401 || status == 403));
            } else if (codec.loginToken(response.body()) instanceof JsonResult.Error<String> unreadable) {
                finish(login, null, new LoginException("unreadable answer (" + unreadable.message() + ")", false));
            } else {
                finish(login, ((JsonResult.Ok<String>) codec.loginToken(response.body())).value(), null);
            }
        });
    }

    /** Keeps an issued token before anyone hears of it, so that {@link #token()} already has it. */
    private void finish(CompletableFuture<String> login, String issued, LoginException failure) {
        logins.increment();
        synchronized (this) {
            inFlight = null;
            if (closed) {
                return;
            }
            if (issued != null) {
                token = issued;
                unproven = true;
                store.save(issued);
            }
        }
        if (issued != null) {
            login.complete(issued);
        } else {
            login.completeExceptionally(failure);
        }
    }

    /** Ends the login thread and the HTTP client's selector thread; a login under way fails. Idempotent. */
    @Override
    public void close() {
        CompletableFuture<String> pending;
        synchronized (this) {
            closed = true;
            pending = inFlight;
            inFlight = null;
            http = null;
            if (executor == null) {
                return;
            }
            executor.shutdownNow();
            threads.interrupt();
        }
        if (pending != null) {
            pending.completeExceptionally(new LoginException("endpoint stopped", false));
        }
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message == null || message.isBlank() ? root.getClass().getSimpleName() : message;
    }
}
