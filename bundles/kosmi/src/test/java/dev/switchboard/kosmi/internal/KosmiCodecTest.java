package dev.switchboard.kosmi.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.kosmi.internal.KosmiCodec.Document;
import dev.switchboard.transport.JsonResult;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class KosmiCodecTest {

    private final KosmiCodec codec = new KosmiCodec(1 << 20);
    private final ObjectMapper mapper = new ObjectMapper();

    private JsonNode tree(String json) throws Exception {
        return mapper.readTree(json);
    }

    @Test
    void theDocumentsAreKosmisAndComeFromResourceFiles() {
        assertEquals("mutation { anonLogin { token } }", Document.ANON_LOGIN.text);
        assertEquals("subscription OnNewMessage($roomId: String!) { newMessage(roomId: $roomId) { body time user "
                + "{ displayName username } } }", Document.ON_NEW_MESSAGE.text);
        assertEquals("mutation JoinRoom($id: String!) { joinRoom(id: $id) { ok } }", Document.JOIN_ROOM.text);
        assertEquals("mutation SendMessage($body: String!, $roomId: String!) { sendMessage(body: $body, roomId: "
                + "$roomId) { ok } }", Document.SEND_MESSAGE.text);
    }

    @Test
    void connectionInitCarriesKosmisPayload() throws Exception {
        JsonNode init = tree(codec.connectionInit("jwt", "UA/1", "4364"));
        assertEquals("connection_init", init.get("type").asText());
        assertEquals("{\"token\":\"jwt\",\"ua\":\"VUEvMQ==\",\"v\":\"4364\",\"r\":\"\"}", init.get("payload").toString());
    }

    @Test
    void subscribeNamesTheOperationAndItsVariables() throws Exception {
        JsonNode subscribe = tree(codec.subscribe("7", Document.JOIN_ROOM, Map.of("id", "@room")));
        assertEquals("7", subscribe.get("id").asText());
        assertEquals("subscribe", subscribe.get("type").asText());
        assertEquals("JoinRoom", subscribe.at("/payload/operationName").asText());
        assertEquals("@room", subscribe.at("/payload/variables/id").asText());
    }

    @Test
    void everyServerMessageTypeIsRead() {
        assertInstanceOf(KosmiCodec.Ack.class, codec.decode("{\"type\":\"connection_ack\"}"));
        assertInstanceOf(KosmiCodec.Ping.class, codec.decode("{\"type\":\"ping\",\"payload\":{}}"));
        assertInstanceOf(KosmiCodec.Pong.class, codec.decode("{\"type\":\"pong\"}"));
        assertEquals("1", ((KosmiCodec.Next) codec.decode("{\"id\":\"1\",\"type\":\"next\",\"payload\":{}}")).id());
        assertEquals(new KosmiCodec.Error("2", "no; nope"),
                codec.decode("{\"id\":\"2\",\"type\":\"error\",\"payload\":[{\"message\":\"no\"},{\"message\":\"nope\"}]}"));
        assertEquals(new KosmiCodec.Complete("3"), codec.decode("{\"id\":\"3\",\"type\":\"complete\"}"));
    }

    /** Bad inputs: not JSON, no type, an unknown type, next without id, next with a string payload, error without id. */
    @ParameterizedTest
    @ValueSource(strings = {"not json", "{\"id\":\"1\"}", "{\"type\":\"data\"}", "{\"type\":\"next\",\"payload\":{}}",
            "{\"id\":\"1\",\"type\":\"next\",\"payload\":\"text\"}", "{\"type\":\"error\",\"payload\":[]}", "[]"})
    void invalidMessagesAreInvalid(String frame) {
        assertInstanceOf(KosmiCodec.Invalid.class, codec.decode(frame));
    }

    @Test
    void aNewMessageIsRead() throws Exception {
        JsonResult<KosmiCodec.NewMessage> read = codec.newMessage(tree("{\"data\":{\"newMessage\":{\"body\":\"hi\","
                + "\"time\":1700000000,\"user\":{\"displayName\":\"Kim\",\"username\":\"kim\"}}}}"));
        KosmiCodec.NewMessage message = ((JsonResult.Ok<KosmiCodec.NewMessage>) read).value();
        assertEquals("hi", message.body());
        assertEquals(Instant.ofEpochSecond(1700000000), message.time());
        assertEquals("kim", message.username());
        assertEquals("Kim", message.displayName());
    }

    /** Bad inputs: no data, a number for body, no user, a blank username, GraphQL errors in next. */
    @ParameterizedTest
    @ValueSource(strings = {"{}", "{\"data\":{\"newMessage\":{\"body\":42,\"user\":{\"username\":\"kim\"}}}}",
            "{\"data\":{\"newMessage\":{\"body\":\"hi\"}}}",
            "{\"data\":{\"newMessage\":{\"body\":\"hi\",\"user\":{\"username\":\" \"}}}}",
            "{\"errors\":[{\"message\":\"boom\"}]}"})
    void aMalformedNewMessageIsWrongShape(String payload) throws Exception {
        assertInstanceOf(JsonResult.Error.class, codec.newMessage(tree(payload)));
    }

    @Test
    void timesInSecondsMillisecondsAndIsoAreRead() throws Exception {
        assertEquals(Instant.ofEpochSecond(1700000000), KosmiCodec.time(tree("1700000000")));
        assertEquals(Instant.ofEpochMilli(1700000000123L), KosmiCodec.time(tree("1700000000123")));
        assertEquals(Instant.parse("2024-01-02T03:04:05Z"), KosmiCodec.time(tree("\"2024-01-02T03:04:05Z\"")));
        assertTrue(KosmiCodec.time(tree("\"yesterday\"")).isAfter(Instant.parse("2024-01-01T00:00:00Z")));
    }

    @Test
    void aMutationIsOkOnlyWithOkTrue() throws Exception {
        assertNull(codec.mutationFailure(tree("{\"data\":{\"sendMessage\":{\"ok\":true}}}"), Document.SEND_MESSAGE));
        assertEquals("sendMessage answered without ok: true",
                codec.mutationFailure(tree("{\"data\":{\"sendMessage\":{\"ok\":false}}}"), Document.SEND_MESSAGE));
        assertEquals("slow down",
                codec.mutationFailure(tree("{\"errors\":[{\"message\":\"slow down\"}]}"), Document.SEND_MESSAGE));
    }

    /** Bad inputs: HTML, JSON without a token, GraphQL errors, an empty token. */
    @Test
    void aLoginAnswerWithoutATokenSaysWhatCame() {
        assertEquals("t", ((JsonResult.Ok<String>) codec.loginToken("{\"data\":{\"anonLogin\":{\"token\":\"t\"}}}")).value());
        assertInstanceOf(JsonResult.Error.class, codec.loginToken("<html>down</html>"));
        assertEquals("no token in the anonLogin answer",
                ((JsonResult.Error<String>) codec.loginToken("{\"data\":{\"anonLogin\":null}}")).message());
        assertEquals("rate limited",
                ((JsonResult.Error<String>) codec.loginToken("{\"errors\":[{\"message\":\"rate limited\"}]}")).message());
        assertInstanceOf(JsonResult.Error.class, codec.loginToken("{\"data\":{\"anonLogin\":{\"token\":\"\"}}}"));
    }
}
