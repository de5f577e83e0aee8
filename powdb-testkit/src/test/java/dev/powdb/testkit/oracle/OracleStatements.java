package dev.powdb.testkit.oracle;

import dev.powdb.storage.ErrorCode;
import dev.powdb.storage.Row;
import dev.powdb.storage.TableOperations;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Predicate;

import static dev.powdb.testkit.oracle.OracleTable.FLAG;
import static dev.powdb.testkit.oracle.OracleTable.GRP;
import static dev.powdb.testkit.oracle.OracleTable.ID;
import static dev.powdb.testkit.oracle.OracleTable.SCORE;
import static dev.powdb.testkit.oracle.OracleTable.TABLE;
import static dev.powdb.testkit.oracle.RowValues.describe;

/**
 * The row statements and reads of an {@link OracleWorkload}: each one runs against the database (or the open
 * transaction) and applies its expected effect to the oracle's working state, then checks the rows it touched.
 * Statements that must fail are checked to have changed nothing.
 */
final class OracleStatements {
    private final OracleWorkload w;
    private final Random rnd;

    OracleStatements(OracleWorkload w) {
        this.w = w;
        this.rnd = w.rnd;
    }

    private TableOperations ops() {
        return w.ops();
    }

    /** Runs one write statement; {@code r} in [0, 60) picks which. */
    void random(int r) throws IOException {
        if (w.working.isEmpty() || r < 20) {
            insert();
        } else if (r < 22) {
            insertDuplicate();
        } else if (r < 25) {
            insertInvalid();
        } else if (r < 36) {
            updateById();
        } else if (r < 39) {
            changeId();
        } else if (r < 43) {
            updateWhere();
        } else if (r < 47) {
            updateFailingMidway();
        } else if (r < 54) {
            deleteById();
        } else if (r < 57) {
            deleteWhere();
        } else if (r < 58) {
            deleteGroup();
        } else {
            bulkInsert();
        }
    }

    /** Many inserts in a row (one statement each), so tables span many pages and B+tree nodes split. */
    private void bulkInsert() throws IOException {
        int n = 20 + rnd.nextInt(100);
        w.note("bulk insert of " + n + " rows from id " + w.nextId);
        for (int i = 0; i < n; i++) {
            Object[] row = w.values.newRow(w.nextId++);
            ops().insertValues(TABLE, row.clone());
            w.working.put(row);
        }
        w.check(OracleCheck.scanDiff(ops(), w.working));
        w.wrote();
    }

    /** Runs one read; {@code r} in [0, 12) picks which. */
    void randomRead(int r) {
        if (r < 4) {
            long id = rnd.nextInt((int) w.nextId + 3) - 1;
            w.note("lookup id " + id);
            w.check(OracleCheck.uniqueLookupDiff(ops(), id, w.working.get(id)));
        } else if (r < 7) {
            long g = rnd.nextInt(OracleTable.GROUPS);
            w.note("lookup grp " + g);
            w.check(OracleCheck.groupLookupDiff(ops(), w.working, g));
        } else if (r < 10) {
            rangeOverId();
        } else if (r < 11) {
            rangeOverGroup();
        } else {
            w.note("count where flag");
            long got = ops().count(TABLE, row -> Boolean.TRUE.equals(row.get("flag")));
            long want = w.working.idsWhere(v -> Boolean.TRUE.equals(v[FLAG])).size();
            w.check(got == want ? null : "count where flag = " + got + ", oracle " + want);
        }
    }

    // ---- inserts ----------------------------------------------------------------------------------------------

    private void insert() throws IOException {
        long id = w.freshId();
        Object[] row = w.values.newRow(id);
        boolean asMap = rnd.nextBoolean();
        w.note("insert" + (asMap ? " " : "Values ") + describe(row));
        long rid = asMap ? ops().insert(TABLE, OracleTable.toMap(row)) : ops().insertValues(TABLE, row.clone());
        w.working.put(row);
        Row got = ops().get(TABLE, rid).orElse(null);
        w.check(OracleWorkload.sameRow(got, row) ? null : "get(" + Long.toHexString(rid) + ") after insert returned "
                + (got == null ? "nothing" : describe(got.values())));
        w.check(OracleCheck.uniqueLookupDiff(ops(), id, row));
        w.wrote();
    }

    private void insertDuplicate() {
        long id = w.existingId();
        Object[] row = w.values.newRow(id);
        w.note("insert duplicate id " + id + " " + describe(row) + " (must fail)");
        OracleWorkload.expectFailure(ErrorCode.UNIQUE_VIOLATION, () -> ops().insert(TABLE, OracleTable.toMap(row)));
        checkUnchanged(id);
    }

    private void insertInvalid() {
        long id = w.nextId++;
        Object[] row = w.values.newRow(id);
        Map<String, Object> m = new LinkedHashMap<>(OracleTable.toMap(row));
        int variant = rnd.nextInt(6);
        String what;
        switch (variant) {
            case 0 -> {
                m.put("grp", "seven");
                what = "a str in int column grp";
            }
            case 1 -> {
                m.put("data", "not bytes");
                what = "a str in bytes column data";
            }
            case 2 -> {
                m.remove("id");
                what = "no value for required id";
            }
            case 3 -> {
                m.put("nope", 1L);
                what = "an unknown column";
            }
            case 4 -> {
                m.put("score", true);
                what = "a bool in float column score";
            }
            default -> what = "six values for seven columns";
        }
        w.note("insert with " + what + " (must fail)");
        OracleWorkload.expectFailure(ErrorCode.INVALID_ARGUMENT, () -> {
            if (variant == 5) {
                ops().insertValues(TABLE, Arrays.copyOf(row, row.length - 1));
            } else {
                ops().insert(TABLE, m);
            }
        });
        checkUnchanged(id);
    }

    // ---- updates ----------------------------------------------------------------------------------------------

    private void updateById() throws IOException {
        boolean present = rnd.nextInt(6) > 0;
        long id = present ? w.existingId() : w.nextId + 5;
        Map<String, Object> changes = w.values.changes();
        boolean viaFilter = rnd.nextInt(3) == 0;
        w.note("update id " + id + (viaFilter ? " by filter " : " by index ") + describe(changes));
        int n = viaFilter
                ? ops().update(TABLE, r -> Objects.equals(r.get("id"), id), r -> changes)
                : ops().updateBy(TABLE, "id", id, changes);
        w.check(n == (present ? 1 : 0) ? null : "update changed " + n + " rows");
        if (present) {
            w.working.put(OracleTable.apply(w.working.get(id), changes));
        }
        w.check(OracleCheck.uniqueLookupDiff(ops(), id, w.working.get(id)));
        w.wrote();
    }

    private void changeId() throws IOException {
        long id = w.existingId();
        Object[] old = w.working.get(id);
        if (w.working.size() > 1 && rnd.nextBoolean()) {
            long other = w.existingId();
            while (other == id) {
                other = w.existingId();
            }
            long target = other;
            w.note("change id " + id + " to existing id " + target + " (must fail)");
            OracleWorkload.expectFailure(ErrorCode.UNIQUE_VIOLATION,
                    () -> ops().updateBy(TABLE, "id", id, Map.of("id", target)));
            checkUnchanged(id, target);
            return;
        }
        long fresh = w.freshId();
        w.note("change id " + id + " to " + fresh);
        int n = ops().updateBy(TABLE, "id", id, Map.of("id", fresh));
        w.check(n == 1 ? null : "update changed " + n + " rows");
        w.working.remove(id);
        w.working.put(OracleTable.apply(old, Map.of("id", fresh)));
        w.freedIds.add(id);
        w.check(OracleCheck.uniqueLookupDiff(ops(), id, null));
        w.check(OracleCheck.uniqueLookupDiff(ops(), fresh, w.working.get(fresh)));
        w.wrote();
    }

    /** Updates every row of a group (or with a low score); the change depends on the row and the step only. */
    private void updateWhere() throws IOException {
        boolean byGroup = rnd.nextInt(3) > 0;
        long g = rnd.nextInt(OracleTable.GROUPS);
        double below = -1000 + rnd.nextInt(300);
        boolean large = rnd.nextInt(8) == 0;
        int stepTag = w.step();
        Predicate<Object[]> which = byGroup ? v -> OracleWorkload.sameGroup(v, g)
                : v -> v[SCORE] != null && (Double) v[SCORE] < below;
        Function<Object[], Map<String, Object>> change = v -> {
            Map<String, Object> m = new HashMap<>();
            String tag = "s" + stepTag + ":" + v[ID];
            m.put("name", large ? tag.repeat(4500 / tag.length() + 1) : tag);
            m.put("score", (Long) v[ID] + stepTag / 8.0);
            m.put("flag", v[FLAG] == null || !(Boolean) v[FLAG]);
            return m;
        };
        w.note("update where " + (byGroup ? "grp = " + g : "score < " + below) + (large ? " (large names)" : ""));
        int n = ops().update(TABLE, r -> which.test(r.values()), r -> change.apply(r.values()));
        List<Long> ids = w.working.idsWhere(which);
        w.check(n == ids.size() ? null : "update where changed " + n + " rows, oracle " + ids.size());
        for (long id : ids) {
            Object[] v = w.working.get(id);
            w.working.put(OracleTable.apply(v, change.apply(v)));
        }
        w.check(OracleCheck.groupLookupDiff(ops(), w.working, g));
        for (long id : ids) {
            w.check(OracleCheck.uniqueLookupDiff(ops(), id, w.working.get(id)));
        }
        w.wrote();
    }

    /**
     * An update of a whole group that fails on its second row, after the first was changed (possibly with large
     * values): the statement must be undone entirely.
     */
    private void updateFailingMidway() {
        long g = -1;
        for (int i = 0; i < 5 && g < 0; i++) {
            long candidate = rnd.nextInt(OracleTable.GROUPS);
            if (w.working.idsWhere(v -> OracleWorkload.sameGroup(v, candidate)).size() >= 2) {
                g = candidate;
            }
        }
        if (g < 0) {
            insertDuplicate();
            return;
        }
        long group = g;
        int variant = rnd.nextInt(4);
        long fresh = w.nextId++;
        int[] calls = {0};
        Function<Row, Map<String, ?>> change = r -> {
            boolean first = calls[0]++ == 0;
            Map<String, Object> m = new HashMap<>();
            switch (variant) {
                case 0 -> m.put("id", fresh); // the second row collides with the first
                case 1 -> {
                    if (first) {
                        m.put("name", "x".repeat(5000));
                        m.put("data", new byte[9000]);
                    } else {
                        m.put("score", "not a float");
                    }
                }
                case 2 -> {
                    m.put("grp", (group + 1) % OracleTable.GROUPS);
                    if (!first) {
                        m.put("id", null);
                    }
                }
                default -> {
                    if (!first) {
                        throw new IllegalStateException("change function fails on the second row");
                    }
                    m.put("data", new byte[70_000]);
                }
            }
            return m;
        };
        String[] names = {"a unique id for all rows", "a wrong type on the second row", "a null required id on the "
                + "second row", "a change function that throws on the second row"};
        w.note("update where grp = " + group + " with " + names[variant] + " (must fail)");
        Predicate<Row> inGroup = r -> Objects.equals(r.get("grp"), group);
        if (variant == 3) {
            try {
                ops().update(TABLE, inGroup, change);
                throw new AssertionError("the update succeeded although its change function threw");
            } catch (IllegalStateException expected) {
                // The statement must have been undone.
            }
        } else {
            ErrorCode code = variant == 0 ? ErrorCode.UNIQUE_VIOLATION : ErrorCode.INVALID_ARGUMENT;
            OracleWorkload.expectFailure(code, () -> ops().update(TABLE, inGroup, change));
        }
        w.check(calls[0] >= 2 ? null : "the change function ran " + calls[0] + " times");
        w.check(OracleCheck.groupLookupDiff(ops(), w.working, group));
        w.check(OracleCheck.groupLookupDiff(ops(), w.working, (group + 1) % OracleTable.GROUPS));
        checkUnchanged(fresh);
    }

    // ---- deletes ----------------------------------------------------------------------------------------------

    private void deleteById() throws IOException {
        boolean present = rnd.nextInt(8) > 0;
        long id = present ? w.existingId() : w.nextId + 3;
        boolean viaFilter = rnd.nextInt(3) == 0;
        w.note("delete id " + id + (viaFilter ? " by filter" : " by index"));
        int n = viaFilter ? ops().delete(TABLE, r -> Objects.equals(r.get("id"), id))
                : ops().deleteBy(TABLE, "id", id);
        w.check(n == (present ? 1 : 0) ? null : "delete removed " + n + " rows");
        if (present) {
            w.working.remove(id);
            w.freedIds.add(id);
        }
        w.check(OracleCheck.uniqueLookupDiff(ops(), id, null));
        w.wrote();
    }

    private void deleteWhere() throws IOException {
        double below = -1000 + rnd.nextInt(200);
        w.note("delete where score < " + below);
        Predicate<Object[]> which = v -> v[SCORE] != null && (Double) v[SCORE] < below;
        int n = ops().delete(TABLE, r -> which.test(r.values()));
        List<Long> ids = w.working.idsWhere(which);
        w.check(n == ids.size() ? null : "delete where removed " + n + " rows, oracle " + ids.size());
        for (long id : ids) {
            w.working.remove(id);
            w.freedIds.add(id);
            w.check(OracleCheck.uniqueLookupDiff(ops(), id, null));
        }
        w.wrote();
    }

    private void deleteGroup() throws IOException {
        long g = rnd.nextInt(OracleTable.GROUPS);
        w.note("delete grp " + g + " by index");
        int n = ops().deleteBy(TABLE, "grp", g);
        List<Long> ids = w.working.idsWhere(v -> OracleWorkload.sameGroup(v, g));
        w.check(n == ids.size() ? null : "delete by grp removed " + n + " rows, oracle " + ids.size());
        ids.forEach(w.working::remove);
        w.freedIds.addAll(ids);
        w.check(OracleCheck.groupLookupDiff(ops(), w.working, g));
        w.wrote();
    }

    // ---- reads ------------------------------------------------------------------------------------------------

    private void rangeOverId() {
        long bound = w.nextId + 2;
        Long lo = rnd.nextInt(5) == 0 ? null : (long) rnd.nextInt((int) bound);
        Long hi = rnd.nextInt(5) == 0 ? null : (long) rnd.nextInt((int) bound);
        boolean loInc = rnd.nextBoolean();
        boolean hiInc = rnd.nextBoolean();
        boolean filtered = rnd.nextInt(3) == 0;
        int limit = rnd.nextInt(3) == 0 ? 1 + rnd.nextInt(10) : Integer.MAX_VALUE;
        w.note("range id " + (loInc ? "[" : "(") + lo + ", " + hi + (hiInc ? "]" : ")") + (filtered ? " where flag"
                : "") + (limit < Integer.MAX_VALUE ? " limit " + limit : ""));
        List<Object[]> got = new ArrayList<>();
        ops().range(TABLE, "id", lo, loInc, hi, hiInc, filtered ? r -> Boolean.TRUE.equals(r.get("flag")) : null,
                r -> {
                    got.add(r.values());
                    return got.size() < limit;
                });
        List<Object[]> want = new ArrayList<>();
        for (Object[] v : w.working.rows().values()) {
            long id = (Long) v[ID];
            boolean aboveLo = lo == null || (loInc ? id >= lo : id > lo);
            boolean belowHi = hi == null || (hiInc ? id <= hi : id < hi);
            if (aboveLo && belowHi && want.size() < limit && (!filtered || Boolean.TRUE.equals(v[FLAG]))) {
                want.add(v);
            }
        }
        w.check(sameRows(got, want) ? null : "range returned ids " + ids(got) + ", oracle " + ids(want));
    }

    private void rangeOverGroup() {
        Long lo = rnd.nextInt(4) == 0 ? null : (long) rnd.nextInt(OracleTable.GROUPS);
        Long hi = rnd.nextInt(4) == 0 ? null : (long) rnd.nextInt(OracleTable.GROUPS);
        w.note("range grp [" + lo + ", " + hi + "]");
        List<Object[]> got = new ArrayList<>();
        ops().range(TABLE, "grp", lo, true, hi, true, null, r -> got.add(r.values()));
        for (int i = 1; i < got.size(); i++) {
            if ((Long) got.get(i)[GRP] < (Long) got.get(i - 1)[GRP]) {
                w.check("range over grp is not in key order at position " + i);
            }
        }
        List<Long> want = w.working.idsWhere(v -> v[GRP] != null && (lo == null || (Long) v[GRP] >= lo)
                && (hi == null || (Long) v[GRP] <= hi));
        List<Long> gotIds = OracleCheck.sorted(ids(got));
        w.check(gotIds.equals(want) ? null : "range over grp returned ids " + gotIds + ", oracle " + want);
        for (Object[] v : got) {
            w.check(Arrays.deepEquals(v, w.working.get((Long) v[ID])) ? null : "range over grp returned "
                    + describe(v) + ", oracle " + describe(w.working.get((Long) v[ID])));
        }
    }

    // ---- autocommit writes with a known effect (for power cuts) -----------------------------------------------

    /**
     * Picks an autocommit statement, applies its effect to {@code after} now, and returns the statement, which
     * runs it against the database and checks its result.
     */
    Runnable planAutocommitWrite(OracleTable after) {
        int r = rnd.nextInt(10);
        if (after.isEmpty() || r < 5) {
            long id = w.freshId();
            Object[] row = w.values.newRow(id);
            after.put(row);
            w.note("insert (may be cut off) " + describe(row));
            return () -> w.db.insertValues(TABLE, row.clone());
        }
        List<Long> ids = new ArrayList<>(after.rows().keySet());
        long id = ids.get(rnd.nextInt(ids.size()));
        if (r < 8) {
            Map<String, Object> changes = w.values.changes();
            after.put(OracleTable.apply(after.get(id), changes));
            w.note("update (may be cut off) id " + id + " " + describe(changes));
            return () -> w.check(w.db.updateBy(TABLE, "id", id, changes) == 1 ? null : "update missed id " + id);
        }
        after.remove(id);
        w.note("delete (may be cut off) id " + id);
        return () -> w.check(w.db.deleteBy(TABLE, "id", id) == 1 ? null : "delete missed id " + id);
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    /** After a failed statement: the rows with these ids are as the oracle says, and the row count is unchanged. */
    private void checkUnchanged(long... ids) {
        for (long id : ids) {
            w.check(OracleCheck.uniqueLookupDiff(ops(), id, w.working.get(id)));
        }
        long n = ops().count(TABLE, null);
        w.check(n == w.working.size() ? null : "count " + n + " after a failed statement, oracle "
                + w.working.size());
    }

    private static boolean sameRows(List<Object[]> a, List<Object[]> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!Arrays.deepEquals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    private static List<Long> ids(List<Object[]> rows) {
        List<Long> out = new ArrayList<>();
        for (Object[] v : rows) {
            out.add((Long) v[ID]);
        }
        return out;
    }
}
