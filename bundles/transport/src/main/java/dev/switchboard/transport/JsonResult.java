package dev.switchboard.transport;

import java.util.Objects;
import java.util.function.Function;

/**
 * The outcome of decoding a JSON frame: a value, or a typed error that the protocol turns into
 * its own error reply or close code. Decoding never throws.
 */
public sealed interface JsonResult<T> {

    enum ErrorKind {
        /** Not JSON at all. */
        MALFORMED,
        /** JSON, but not the shape the protocol expects. */
        WRONG_SHAPE,
        /** Larger than the protocol allows. */
        TOO_LARGE
    }

    record Ok<T>(T value) implements JsonResult<T> {
    }

    record Error<T>(ErrorKind kind, String message) implements JsonResult<T> {
        public Error {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(message, "message");
        }
    }

    static <T> JsonResult<T> ok(T value) {
        return new Ok<>(value);
    }

    static <T> JsonResult<T> error(ErrorKind kind, String message) {
        return new Error<>(kind, message);
    }

    default boolean isOk() {
        return this instanceof Ok;
    }

    /** Applies {@code next} to a value; an error passes through unchanged. */
    @SuppressWarnings("unchecked")
    default <R> JsonResult<R> then(Function<T, JsonResult<R>> next) {
        return this instanceof Ok<T> ok ? next.apply(ok.value()) : (JsonResult<R>) this;
    }
}
