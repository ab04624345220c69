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
# Usage: scripts/bench-analytics.sh [OEWS_FILE]   (default ../shared/data/oews/oews_may2025_all_areas.csv.gz)
# Needs: sqlite3, curl, jq, GNU time (/usr/bin/time; apt-get install time sqlite3 curl jq).
set -euo pipefail
cd "$(dirname "$0")/.."

FILE=${1:-../shared/data/oews/oews_may2025_all_areas.csv.gz}
RUNS=${RUNS:-15}
ROLE=${ROLE:-software-developers}
PORT=${PORT:-18474}
for tool in sqlite3 curl jq /usr/bin/time; do
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

target/release/careerql serve --addr "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
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
  AND ((salary_range.role_id IS NULL AND salary_range.occupation_id IN (SELECT occupation_id FROM role WHERE slug = '$ROLE'))
       OR salary_range.role_id IN (SELECT id FROM role WHERE slug = '$ROLE'))
GROUP BY salary_range.city_id ORDER BY MIN(city.name), salary_range.city_id;
SQL
cat >"$WORK/b.sql" <<SQL
SELECT city.kind, occupation.soc_group, $(columns) FROM salary_range
JOIN city ON city.id = salary_range.city_id JOIN occupation ON occupation.id = salary_range.occupation_id
WHERE salary_range.period = 'ANNUAL' GROUP BY city.kind, occupation.soc_group ORDER BY city.kind, occupation.soc_group;
SQL

FIGURES='count employment mean meanIsLowerBound spread { p10 { min max minIsLowerBound maxIsLowerBound } p25 { min max minIsLowerBound maxIsLowerBound } median { min max minIsLowerBound maxIsLowerBound } p75 { min max minIsLowerBound maxIsLowerBound } p90 { min max minIsLowerBound maxIsLowerBound } mean { min max minIsLowerBound maxIsLowerBound } }'
QUERY_A="query (\$after: String) { salaryStats(first: 100, after: \$after, filter: { role: { slug: { eq: \"$ROLE\" } } }, groupBy: [CITY]) { pageInfo { hasNextPage endCursor } nodes { city { slug } $FIGURES } } }"
QUERY_B="{ salaryStats(first: 100, groupBy: [AREA_KIND, OCCUPATION_GROUP]) { nodes { areaKind occupationGroup $FIGURES } } }"
QUERY_C="{ salaryStats(first: 100, groupBy: [AREA_KIND, OCCUPATION_GROUP]) { nodes { areaKind occupationGroup $FIGURES estimate { p10 median p90 lowerBounds } } } }"

post() { jq -n --arg q "$1" --argjson after "$2" '{query: $q, variables: {after: $after}}' | curl -sf -H 'content-type: application/json' --data-binary @- "http://127.0.0.1:$PORT/graphql"; }
# Every page of a query, following cursors; prints the number of groups.
pages() {
  local after=null groups=0 body
  while :; do
    body=$(post "$1" "$after")
    [[ $(jq '.errors // empty' <<<"$body") == "" ]] || { echo "bench: $body" >&2; exit 1; }
    groups=$((groups + $(jq '.data.salaryStats.nodes | length' <<<"$body")))
    [[ $(jq '.data.salaryStats.pageInfo.hasNextPage // false' <<<"$body") == true ]] || break
    after=$(jq '.data.salaryStats.pageInfo.endCursor' <<<"$body")
  done
  echo "$groups"
}
now() { date +%s%N; }
# Median wall time in milliseconds of RUNS runs of a command.
median_ms() {
  local times=() start
  for _ in $(seq 1 "$RUNS"); do
    start=$(now); "$@" >/dev/null; times+=($(( ($(now) - start) / 1000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'
}

echo "== groups: (a) $(pages "$QUERY_A") via careerql, $(sqlite3 "$DB" <"$WORK/a.sql" | wc -l) via sqlite3;" \
  "(b) $(pages "$QUERY_B") via careerql, $(sqlite3 "$DB" <"$WORK/b.sql" | wc -l) via sqlite3"
pages "$QUERY_A" >/dev/null; sqlite3 "$DB" <"$WORK/b.sql" >/dev/null   # warm the page cache
a_api=$(median_ms pages "$QUERY_A"); a_sql=$(median_ms sh -c "sqlite3 '$DB' < '$WORK/a.sql'")
b_api=$(median_ms pages "$QUERY_B"); b_sql=$(median_ms sh -c "sqlite3 '$DB' < '$WORK/b.sql'")
c_api=$(median_ms pages "$QUERY_C")
printf '%-46s %12s %12s %8s\n' "median of $RUNS runs, end to end" "careerql ms" "sqlite3 ms" "ratio"
printf '%-46s %12s %12s %8s\n' "(a) one role, city by city (all pages)" "$a_api" "$a_sql" "$(awk "BEGIN {printf \"%.2f\", $a_api/$a_sql}")"
printf '%-46s %12s %12s %8s\n' "(b) all rows by area kind x occupation group" "$b_api" "$b_sql" "$(awk "BEGIN {printf \"%.2f\", $b_api/$b_sql}")"
printf '%-46s %12s %12s %8s\n' "(c) (b) with pooled percentile estimates" "$c_api" "-" "-"
