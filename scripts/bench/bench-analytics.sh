#!/usr/bin/env bash
# Benchmarks careerql's salary analytics against the same aggregates run as raw SQL in the sqlite3 shell.
#
# Imports the full BLS OEWS file into a fresh SQLite database (reporting time and peak memory), serves it with
# the release build, then times, end to end and RUNS times each (median reported):
#   (a) a city-by-city breakdown for one role: salaryStats grouped by CITY, every page, over HTTP
#   (b) a grouping over all rows: salaryStats grouped by AREA_KIND and OCCUPATION_GROUP, over HTTP
# each against `sqlite3 FILE < query.sql` computing the same aggregates, and (c) (b) with pooled percentile
# estimates, which raw SQL does not compute. Not part of `cargo test`: it takes a minute or two.
#
# Usage: scripts/bench/bench-analytics.sh [OEWS_FILE]   (default ../shared/data/oews/oews_may2025_all_areas.csv.gz)
# Needs: sqlite3, curl, python3, GNU time (/usr/bin/time; apt-get install time sqlite3 curl).
set -euo pipefail
cd "$(dirname "$0")/../.."

FILE=${1:-../shared/data/oews/oews_may2025_all_areas.csv.gz}
RUNS=${RUNS:-15}
ROLE=${ROLE:-software-developers}
PORT=${PORT:-18474}
for tool in sqlite3 curl python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing" >&2; exit 1; }
done

cargo build --release --quiet
WORK=$(mktemp -d)
SERVER=
cleanup() { [[ -n $SERVER ]] && kill "$SERVER" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
DB="$WORK/bench.db"
export DATABASE_URL="sqlite://$DB?mode=rwc"

echo "== import into SQLite: $FILE"
/usr/bin/time -f "import wall %e s, peak RSS %M KiB" target/release/careerql import oews "$FILE" 2>&1 | tail -n 8
if [[ -n ${BENCH_POSTGRES:-} ]]; then
  # e.g. BENCH_POSTGRES=postgres://postgres@127.0.0.1:5432 : imports into a throwaway database there too.
  name="careerql_bench_$$"
  psql -q "$BENCH_POSTGRES/postgres" -c "CREATE DATABASE $name"
  echo "== import into PostgreSQL"
  DATABASE_URL="$BENCH_POSTGRES/$name" /usr/bin/time -f "import wall %e s, peak RSS %M KiB" \
    target/release/careerql import oews "$FILE" 2>&1 | tail -n 8
  psql -q "$BENCH_POSTGRES/postgres" -c "DROP DATABASE $name WITH (FORCE)"
fi

# One client asking again and again: the per-client rate limit would be what is measured (a costs 41,001).
target/release/careerql serve --addr "127.0.0.1:$PORT" --rate-limit-per-minute 0 >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done

# The same aggregates careerql computes, written by hand: count, total employment, the employment-weighted
# mean (as integer sums), and min, max, exact min and top-coded flag of every statistic.
columns() {
  local sql="COUNT(*), CAST(SUM(employment) AS BIGINT), CAST(SUM(mean_cents * employment) AS BIGINT),
    CAST(SUM(CASE WHEN mean_cents IS NOT NULL THEN employment END) AS BIGINT),
    MAX(CASE WHEN mean_cents IS NOT NULL AND employment IS NOT NULL AND top_coded <> '' AND (' ' || top_coded || ' ') LIKE '% mean %' THEN 1 ELSE 0 END)"
  for s in p10 p25 median p75 p90 mean; do
    local c="${s}_cents"
    local top="(top_coded <> '' AND (' ' || top_coded || ' ') LIKE '% $s %')"
    sql+=", MIN($c), MAX($c), MIN(CASE WHEN NOT $top THEN $c END), MAX(CASE WHEN $top THEN 1 ELSE 0 END)"
  done
  echo "$sql"
}
cat >"$WORK/a.sql" <<SQL
SELECT city.slug, $(columns) FROM salary_range JOIN city ON city.id = salary_range.city_id
WHERE salary_range.period = 'ANNUAL'
  AND salary_range.occupation_id IN (SELECT occupation_id FROM role WHERE slug = '$ROLE')
  AND (salary_range.role_id IS NULL OR salary_range.role_id IN (SELECT id FROM role WHERE slug = '$ROLE'))
GROUP BY salary_range.city_id ORDER BY MIN(city.name), salary_range.city_id;
SQL
cat >"$WORK/b.sql" <<SQL
SELECT city.kind, occupation.soc_group, $(columns) FROM salary_range
JOIN city ON city.id = salary_range.city_id JOIN occupation ON occupation.id = salary_range.occupation_id
WHERE salary_range.period = 'ANNUAL' GROUP BY city.kind, occupation.soc_group ORDER BY city.kind, occupation.soc_group;
SQL

FIGURES='count employment mean meanIsLowerBound spread { p10 { min max minIsLowerBound maxIsLowerBound } p25 { min max minIsLowerBound maxIsLowerBound } median { min max minIsLowerBound maxIsLowerBound } p75 { min max minIsLowerBound maxIsLowerBound } p90 { min max minIsLowerBound maxIsLowerBound } mean { min max minIsLowerBound maxIsLowerBound } }'
QUERY_A="query (\$after: String) { salaryStats(first: 1000, after: \$after, filter: { role: { slug: { eq: \"$ROLE\" } } }, groupBy: [CITY]) { pageInfo { hasNextPage endCursor } nodes { city { slug } $FIGURES } } }"
QUERY_B="query (\$after: String) { salaryStats(after: \$after, first: 1000, groupBy: [AREA_KIND, OCCUPATION_GROUP]) { nodes { areaKind occupationGroup $FIGURES } } }"
QUERY_C="query (\$after: String) { salaryStats(after: \$after, first: 1000, groupBy: [AREA_KIND, OCCUPATION_GROUP]) { nodes { areaKind occupationGroup $FIGURES estimate { p10 median p90 lowerBounds } } } }"

# The timing loop is Python (one keep-alive HTTP connection; no process per request), so what is timed is
# careerql, not the shell: every page of each query, and the sqlite3 shell run on its SQL file.
python3 - "$PORT" "$DB" "$RUNS" "$WORK" "$QUERY_A" "$QUERY_B" "$QUERY_C" <<'PY'
import http.client, json, statistics, subprocess, sys, time
port, db, runs, work, qa, qb, qc = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], *sys.argv[5:]
conn = http.client.HTTPConnection("127.0.0.1", int(port))

def pages(query):
    """Every page of `query`: (groups, ms from each request to its response's last byte, ms spent decoding).

    Decoding the JSON is the client's work (Python takes about 3 ms for the 360 KB of (a)), as reading the
    shell's output into values would be; both sides are timed to their answer's last byte."""
    after, groups, served, decoded = None, 0, 0.0, 0.0
    # A fresh connection, untimed: the server closes one left idle while the shell ran.
    conn.close()
    conn.connect()
    while True:
        start = time.perf_counter()
        conn.request("POST", "/graphql", json.dumps({"query": query, "variables": {"after": after}}), {"content-type": "application/json"})
        raw = conn.getresponse().read()
        received = time.perf_counter()
        body = json.loads(raw)
        served += (received - start) * 1000
        decoded += (time.perf_counter() - received) * 1000
        assert "errors" not in body, body
        stats = body["data"]["salaryStats"]
        groups += len(stats["nodes"])
        info = stats.get("pageInfo") or {}
        if not info.get("hasNextPage"):
            return groups, served, decoded
        after = info["endCursor"]

def shell(sql_file):
    """The shell run on `sql_file`: (rows, ms from start to exit)."""
    with open(sql_file) as sql:
        start = time.perf_counter()
        out = subprocess.run(["sqlite3", db], stdin=sql, capture_output=True, check=True).stdout
        return len(out.splitlines()), (time.perf_counter() - start) * 1000

def median(run, part):
    run()  # warm caches
    return statistics.median(run()[part] for _ in range(runs))

print(f"== groups: (a) {pages(qa)[0]} via careerql, {shell(work + '/a.sql')[0]} via sqlite3; (b) {pages(qb)[0]} via careerql, {shell(work + '/b.sql')[0]} via sqlite3")
rows = [
    ("(a) one role, city by city (all pages)", qa, work + "/a.sql"),
    ("(b) all rows by area kind x occupation group", qb, work + "/b.sql"),
    ("(c) (b) with pooled percentile estimates", qc, None),
]
print(f"{'median of %d runs, end to end' % runs:<46} {'careerql ms':>12} {'sqlite3 ms':>12} {'ratio':>8} {'client decode ms':>17}")
for name, query, sql_file in rows:
    api, decode = median(lambda: pages(query), 1), median(lambda: pages(query), 2)
    sql = None if sql_file is None else median(lambda: shell(sql_file), 1)
    print(f"{name:<46} {api:>12.1f} {sql if sql is None else round(sql, 1)!s:>12} {'-' if sql is None else round(api / sql, 2)!s:>8} {decode:>17.1f}")
PY
