package dev.powdb.cli;

import dev.powdb.storage.Database;
import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.PowDbException;

/**
 * The runner the {@code powdb} command uses. Wiring PowQL (module {@code powdb-query}) replaces the body of
 * {@link #powql(Database)} with an adapter:
 *
 * <pre>{@code
 * PowQL q = new PowQL(db);
 * return new StatementRunner() {
 *     public void run(String script, ResultSink sink) {
 *         q.run(script, new dev.powdb.query.ResultSink() {
 *             public void rows(List<String> c, List<List<Object>> r) { sink.rows(c, r); }
 *             public void scalar(Object v) { sink.scalar(v); }
 *             public void message(String m) { sink.message(m); }
 *         });
 *     }
 *     public boolean inTransaction() { return q.inTransaction(); }
 * };
 * }</pre>
 */
final class StatementRunners {
    /** What the shell's {@code help} prints unless the runner supplies its own text. */
    static final String DEFAULT_HELP = String.join("\n",
            "Statements end with ';' and may span several lines. Examples:",
            "  type User { required name: str, unique email: str, age: int, status: str default \"new\" };",
            "  alter User add index .age;",
            "  insert User { name := \"Ada\", age := 36 };",
            "  (queries, updates, deletes and transactions: see the PowQL documentation)",
            "Shell commands: help, quit, exit (or Ctrl-D). Ctrl-C clears the current input.");

    private StatementRunners() {
    }

    /** The PowQL runner over {@code db}. */
    static StatementRunner powql(Database db) {
        throw new PowDbException(ErrorCode.ILLEGAL_STATE,
                "this build of powdb has no query language yet (module powdb-query is not wired in)");
    }
}
