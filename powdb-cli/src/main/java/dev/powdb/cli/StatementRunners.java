package dev.powdb.cli;

import dev.powdb.query.PowQL;
import dev.powdb.query.QueryException;
import dev.powdb.storage.Database;

import java.util.List;

/** The runner the {@code powdb} command uses: PowQL (module {@code powdb-query}) over an open database. */
final class StatementRunners {
    /** What the shell's {@code help} prints. */
    static final String DEFAULT_HELP = String.join("\n",
            "Statements end with ';' and may span several lines. Examples:",
            "  type User { required name: str, unique email: str, age: int, status: str default \"new\" };",
            "  alter User add index .age;   alter User add column score: int;   drop User;",
            "  insert User { name := \"Ada\", age := 36 }, { name := \"Bob\", age := 17 };",
            "  User filter .age > 30 and .name like \"A%\" order .age desc limit 10 { .name, .age };",
            "  count(User filter .status = \"new\");   avg(User { .age });",
            "  User filter .name = \"Ada\" update { age := .age + 1 };   User filter .age < 18 delete;",
            "  begin; ...; commit;   (or rollback;)   # comments run to the end of the line",
            "  backup to \"backups/full\";   backup to \"backups/incr-1\" base \"backups/full\";"
                    + "   restore point \"before-upgrade\";",
            "    (backups of this open database; relative directories are resolved against the current directory)",
            "Shell commands: help, quit, exit (or Ctrl-D). Ctrl-C clears the current input.",
            "The language is described in docs/powql.md.");

    private StatementRunners() {
    }

    /** The PowQL runner over {@code db}. */
    static StatementRunner powql(Database db) {
        PowQL q = new PowQL(db);
        return new StatementRunner() {
            @Override
            public void run(String script, ResultSink sink) {
                q.run(script, new dev.powdb.query.ResultSink() {
                    @Override
                    public void rows(List<String> columns, List<List<Object>> rows) {
                        sink.rows(columns, rows);
                    }

                    @Override
                    public void scalar(Object value) {
                        sink.scalar(value);
                    }

                    @Override
                    public void message(String text) {
                        sink.message(text);
                    }
                });
            }

            @Override
            public boolean isComplete(String input) {
                if (!ScriptText.endsWithTerminator(input)) {
                    return false;
                }
                try {
                    PowQL.parse(input);
                    return true;
                } catch (QueryException e) {
                    // An error that more input could fix (an open brace or string) means: keep reading.
                    return !e.atEnd();
                }
            }

            @Override
            public boolean inTransaction() {
                return q.inTransaction();
            }
        };
    }
}
