package dev.switchboard.kosmi.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.transport.JsonFraming;
import dev.switchboard.transport.JsonResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * graphql-transport-ws frames and Kosmi's GraphQL answers ⇄ objects, on transport's
 * {@link JsonFraming}. The GraphQL documents are resource files ({@code graphql/*.graphql} next to this class), so a
 * schema change on Kosmi's side is a text edit. Thread-safe.
 */
final class KosmiCodec {

    static final String SUBPROTOCOL = "graphql-transport-ws";

    /** A GraphQL document from the bundle's resources, with the operation name it declares. */
    enum Document {
        ANON_LOGIN("AnonLogin", null),
        ON_NEW_MESSAGE("OnNewMessage", "newMessage"),
        JOIN_ROOM("JoinRoom", "joinRoom"),
        SEND_MESSAGE("SendMessage", "sendMessage"),
        SET_DISPLAY_NAME("SetDisplayName", "setDisplayName");

        final String operation;
        /** The field of {@code data} that holds the answer. */
        final String field;
        final String text;

        Document(String operation, String field) {
            this.operation = operation;
            this.field = field;
            this.text = load("graphql/" + operation + ".graphql");
        }

        private static String load(String resource) {
            try (InputStream in = KosmiCodec.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("missing GraphQL document " + resource);
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read GraphQL document " + resource, e);
            }
        }
    }

    /** What a text frame from Kosmi is. */
    sealed interface Inbound permits Ack, Ping, Pong, Next, Error, Complete, Invalid {
    }

    record Ack() implements Inbound {
    }

    record Ping() implements Inbound {
    }

    record Pong() implements Inbound {
    }

    record Next(String id, JsonNode payload) implements Inbound {
    }

    /** An operation failed; {@code message} joins the GraphQL errors' messages. */
    record Error(String id, String message) implements Inbound {
    }

    record Complete(String id) implements Inbound {
    }

    /** Not a graphql-transport-ws message: the protocol answers with close code 4400. */
    record Invalid(String why) implements Inbound {
    }

    /** One {@code newMessage} of the {@code OnNewMessage} subscription. */
    record NewMessage(String body, Instant time, String username, String displayName, Object data) {
    }

    private final JsonFraming json;

    KosmiCodec(int maxFrameChars) {
        this.json = new JsonFraming(maxFrameChars);
    }

    Inbound decode(String text) {
        JsonResult<JsonNode> parsed = json.parse(text);
        if (parsed instanceof JsonResult.Error<JsonNode> error) {
            return new Invalid(error.message());
        }
        JsonNode message = ((JsonResult.Ok<JsonNode>) parsed).value();
        JsonNode type = message.path("type");
        if (!type.isTextual()) {
            return new Invalid("no message type");
        }
        String id = message.path("id").isTextual() ? message.get("id").textValue() : null;
        JsonNode payload = message.path("payload");
        return switch (type.textValue()) {
            case "connection_ack" -> new Ack();
            case "ping" -> new Ping();
            case "pong" -> new Pong();
            case "next" -> id == null || !payload.isObject() ? new Invalid("next without an id or an object payload")
                    : new Next(id, payload);
            case "error" -> id == null ? new Invalid("error without an id") : new Error(id, errorMessages(payload));
            case "complete" -> id == null ? new Invalid("complete without an id") : new Complete(id);
            default -> new Invalid("unknown message type " + type.textValue());
        };
    }

    /** {@code connection_init} with the payload Kosmi's web app sends: {@code {token, ua: base64(UA), v, r: ""}}. */
    String connectionInit(String token, String userAgent, String appVersion) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("token", token);
        payload.put("ua", Base64.getEncoder().encodeToString(userAgent.getBytes(StandardCharsets.UTF_8)));
        payload.put("v", appVersion);
        payload.put("r", "");
        return json.write(Map.of("type", "connection_init", "payload", payload));
    }

    String subscribe(String id, Document document, Map<String, Object> variables) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("operationName", document.operation);
        payload.put("query", document.text);
        payload.put("variables", variables);
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("id", id);
        message.put("type", "subscribe");
        message.put("payload", payload);
        return json.write(message);
    }

    String ping() {
        return "{\"type\":\"ping\"}";
    }

    String pong() {
        return "{\"type\":\"pong\"}";
    }

    /** The anonymous login as an HTTP body: {@code {"query": "mutation { anonLogin { token } }"}}. */
    String loginRequest() {
        return json.write(Map.of("query", Document.ANON_LOGIN.text));
    }

    /** The token in a login answer's {@code data.anonLogin.token}; anything else is an error saying what came. */
    JsonResult<String> loginToken(String body) {
        return json.parse(body).then(answer -> {
            JsonNode token = answer.path("data").path("anonLogin").path("token");
            if (token.isTextual() && !token.textValue().isBlank()) {
                return JsonResult.ok(token.textValue());
            }
            String errors = errorMessages(answer.path("errors"));
            return JsonResult.error(JsonResult.ErrorKind.WRONG_SHAPE,
                    errors.isEmpty() ? "no token in the anonLogin answer" : errors);
        });
    }

    /** A {@code next} payload of {@code OnNewMessage}; a message without body or user is {@code WRONG_SHAPE}. */
    JsonResult<NewMessage> newMessage(JsonNode payload) {
        String errors = errorMessages(payload.path("errors"));
        if (!errors.isEmpty()) {
            return JsonResult.error(JsonResult.ErrorKind.WRONG_SHAPE, errors);
        }
        JsonNode message = payload.path("data").path("newMessage");
        if (!message.isObject()) {
            return JsonResult.error(JsonResult.ErrorKind.WRONG_SHAPE, "no data.newMessage object");
        }
        JsonNode body = message.path("body");
        JsonNode user = message.path("user");
        JsonNode username = user.path("username");
        if (!body.isTextual() || !username.isTextual() || username.textValue().isBlank()) {
            return JsonResult.error(JsonResult.ErrorKind.WRONG_SHAPE,
                    "newMessage needs a string body and user.username");
        }
        JsonNode displayName = user.path("displayName");
        return JsonResult.ok(new NewMessage(body.textValue(), time(message.path("time")), username.textValue(),
                displayName.isTextual() ? displayName.textValue() : null, json.toPlain(message)));
    }

    /** Null when a mutation's {@code next} payload says {@code ok: true}; otherwise why not. */
    String mutationFailure(JsonNode payload, Document document) {
        String errors = errorMessages(payload.path("errors"));
        if (!errors.isEmpty()) {
            return errors;
        }
        JsonNode ok = payload.path("data").path(document.field).path("ok");
        return ok.isBoolean() && ok.booleanValue() ? null : document.field + " answered without ok: true";
    }

    /** Kosmi's time: epoch seconds or milliseconds, or an ISO-8601 instant; now when absent or unreadable. */
    static Instant time(JsonNode time) {
        if (time.isNumber()) {
            long value = time.longValue();
            // seconds until the year 5138; beyond that it can only be milliseconds
            return value < 100_000_000_000L ? Instant.ofEpochSecond(value) : Instant.ofEpochMilli(value);
        }
        if (time.isTextual()) {
            try {
                return Instant.parse(time.textValue());
            } catch (DateTimeParseException e) {
                return Instant.now();
            }
        }
        return Instant.now();
    }

    /** GraphQL errors ({@code [{message}, …]}, or one object) as one line. */
    private static String errorMessages(JsonNode errors) {
        List<String> messages = new ArrayList<>();
        if (errors.isArray()) {
            errors.forEach(error -> messages.add(error.path("message").asText(error.toString())));
        } else if (errors.isObject()) {
            messages.add(errors.path("message").asText(errors.toString()));
        }
        return String.join("; ", messages);
    }
}
