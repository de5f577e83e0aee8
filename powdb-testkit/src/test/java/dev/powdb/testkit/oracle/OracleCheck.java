package dev.powdb.testkit.oracle;

import dev.powdb.storage.Row;
import dev.powdb.storage.TableOperations;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import static dev.powdb.testkit.oracle.OracleTable.GRP;
import static dev.powdb.testkit.oracle.OracleTable.ID;
import static dev.powdb.testkit.oracle.OracleTable.TABLE;
import static dev.powdb.testkit.oracle.RowValues.describe;

/**
 * Compares what a database (or an open transaction) holds in {@link OracleTable#TABLE} with an oracle. The
 * {@code ...Diff} methods return a description of the first difference, or null when they agree.
 */
public final class OracleCheck {
    private OracleCheck() {
    }

    /** Compares a full table scan with {@code expected}: same ids, each once, same values. */
    public static String scanDiff(TableOperations ops, OracleTable expected) {
        return scanDiff(ops, expected, new HashMap<>());
    }

    private static String scanDiff(TableOperations ops, OracleTable expected, Map<Long, Row> seen) {
        for (Row r : ops.scan(TABLE, null)) {
            Object[] v = r.values();
            if (v.length != OracleTable.COLUMNS.size() || !(v[ID] instanceof Long id)) {
                return "scan returned a malformed row " + describe(v);
            }
            Row twice = seen.put(id, r);
            if (twice != null) {
                return "scan returned id " + id + " twice: " + describe(twice.values()) + " and " + describe(v);
            }
            Object[] want = expected.get(id);
            if (want == null) {
                return "scan returned row id " + id + " the oracle does not have: " + describe(v);
            }
            if (!Arrays.deepEquals(v, want)) {
                return "row id " + id + " differs: database " + describe(v) + ", oracle " + describe(want);
            }
        }
        if (seen.size() != expected.size()) {
            for (Map.Entry<Long, Object[]> e : expected.rows().entrySet()) {
                if (!seen.containsKey(e.getKey())) {
                    return "row id " + e.getKey() + " is missing (" + seen.size() + " of " + expected.size()
                            + " rows found): oracle " + describe(e.getValue());
                }
            }
        }
        return null;
    }

    /**
     * {@link #scanDiff} plus every access path: count, get by row id, the unique index for every id (and a few
     * absent ids), the non-unique index for every group, and full range scans over both indexes.
     */
    public static String deepDiff(TableOperations ops, OracleTable expected) {
        Map<Long, Row> byId = new HashMap<>();
        String d = scanDiff(ops, expected, byId);
        if (d != null) {
            return d;
        }
        long count = ops.count(TABLE, null);
        if (count != expected.size()) {
            return "count " + count + " but the oracle has " + expected.size() + " rows";
        }
        for (Map.Entry<Long, Object[]> e : expected.rows().entrySet()) {
            d = uniqueLookupDiff(ops, e.getKey(), e.getValue());
            if (d != null) {
                return d;
            }
            Row scanned = byId.get(e.getKey());
            Row got = ops.get(TABLE, scanned.rowId()).orElse(null);
            if (got == null || !Arrays.deepEquals(got.values(), e.getValue())) {
                return "get(row id " + Long.toHexString(scanned.rowId()) + ") of id " + e.getKey() + " returned "
                        + (got == null ? "nothing" : describe(got.values()));
            }
        }
        long past = expected.isEmpty() ? 1 : expected.rows().lastKey() + 1;
        for (long absent : new long[] {-1, 0, past, past + 17}) {
            if (!expected.contains(absent) && !ops.lookup(TABLE, "id", absent).isEmpty()) {
                return "lookup of absent id " + absent + " found " + ops.lookup(TABLE, "id", absent);
            }
        }
        for (long g = 0; g < OracleTable.GROUPS; g++) {
            d = groupLookupDiff(ops, expected, g);
            if (d != null) {
                return d;
            }
        }
        d = rangeDiff(ops, expected);
        return d;
    }

    /** Checks that the unique index finds exactly {@code want} (or nothing when {@code want} is null). */
    public static String uniqueLookupDiff(TableOperations ops, long id, Object[] want) {
        List<Row> rows = ops.lookup(TABLE, "id", id);
        if (want == null) {
            return rows.isEmpty() ? null : "lookup of id " + id + " should find nothing but found "
                    + describe(rows.get(0).values());
        }
        if (rows.size() != 1) {
            return "lookup of id " + id + " found " + rows.size() + " rows, expected 1: " + describe(want);
        }
        Object[] v = rows.get(0).values();
        return Arrays.deepEquals(v, want) ? null : "lookup of id " + id + " found " + describe(v) + ", oracle "
                + describe(want);
    }

    /** Checks that the index on {@code grp} finds exactly the oracle's rows of group {@code g}. */
    public static String groupLookupDiff(TableOperations ops, OracleTable expected, long g) {
        Set<Long> want = new HashSet<>(expected.idsWhere(v -> Objects.equals(v[GRP], g)));
        Set<Long> got = new HashSet<>();
        for (Row r : ops.lookup(TABLE, "grp", g)) {
            Object[] v = r.values();
            Long id = (Long) v[ID];
            if (!got.add(id)) {
                return "lookup of grp " + g + " returned id " + id + " twice";
            }
            if (!Arrays.deepEquals(v, expected.get(id))) {
                return "lookup of grp " + g + " returned " + describe(v) + ", oracle " + describe(expected.get(id));
            }
        }
        return got.equals(want) ? null : "lookup of grp " + g + " found ids " + sorted(got) + ", oracle "
                + sorted(want);
    }

    /** Full range scans over both indexes: id in ascending order; grp in non-descending order, nulls excluded. */
    private static String rangeDiff(TableOperations ops, OracleTable expected) {
        List<Long> ids = new ArrayList<>();
        ops.range(TABLE, "id", null, true, null, true, null, r -> ids.add((Long) r.get("id")));
        List<Long> want = new ArrayList<>(expected.rows().keySet());
        if (!ids.equals(want)) {
            return "range over id returned " + abbreviate(ids) + ", oracle " + abbreviate(want);
        }
        List<Long> groupIds = new ArrayList<>();
        long[] last = {Long.MIN_VALUE};
        String[] problem = {null};
        ops.range(TABLE, "grp", null, true, null, true, null, r -> {
            long g = (Long) r.get("grp");
            if (g < last[0] && problem[0] == null) {
                problem[0] = "range over grp went back from " + last[0] + " to " + g;
            }
            last[0] = g;
            groupIds.add((Long) r.get("id"));
            return true;
        });
        if (problem[0] != null) {
            return problem[0];
        }
        List<Long> wantGroup = expected.idsWhere(v -> v[GRP] != null);
        return sorted(groupIds).equals(wantGroup) ? null : "range over grp returned ids " + abbreviate(sorted(
                groupIds)) + ", oracle " + abbreviate(wantGroup);
    }

    static List<Long> sorted(java.util.Collection<Long> ids) {
        List<Long> l = new ArrayList<>(ids);
        l.sort(Long::compare);
        return l;
    }

    static String abbreviate(List<Long> ids) {
        return ids.size() <= 30 ? ids.toString() : ids.subList(0, 30) + "... (" + ids.size() + " ids)";
    }
}
