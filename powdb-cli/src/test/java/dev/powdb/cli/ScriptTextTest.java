package dev.powdb.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScriptTextTest {
    @Test
    void terminatorOutsideStringsEndsTheInput() {
        assertTrue(ScriptText.endsWithTerminator("count User;"));
        assertTrue(ScriptText.endsWithTerminator("insert T { s := \"a;\" };  \n"));
        assertTrue(ScriptText.endsWithTerminator("insert T { s := \"q\\\"\" };"));
        assertFalse(ScriptText.endsWithTerminator("count User"));
        assertFalse(ScriptText.endsWithTerminator("insert T { s := \"a;"));
        assertFalse(ScriptText.endsWithTerminator("insert T { s := \"a\\\";"));
        assertFalse(ScriptText.endsWithTerminator("insert T { s := \";\""));
        assertFalse(ScriptText.endsWithTerminator(""));
    }
}
