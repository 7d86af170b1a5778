#!/usr/bin/env bash
# Builds CertMgr once and runs every test project under tests/ against real services.
#   1. installs the Debian packages the tests need (only the missing ones);
#   2. starts a private PostgreSQL cluster on 127.0.0.1 and exports CERTMGR_TEST_PG;
#   3. builds the solution, runs each test project (TRX per project), keeps going after a failure;
#   4. totals the TRX counters and closes with exactly one line "N passed, N failed".
# Anything that did not run counts as a failure in that line: a failed step before the tests (packages, PostgreSQL,
# build) is "0 passed, 1 failed"; a project that wrote no results or ran no test counts 1 failed; a test that did
# not pass (failed, skipped, not executed, timed out, aborted, inconclusive) counts failed. Exits non-zero on any.
# Knobs: CERTMGR_TEST_CONFIG (Release), CERTMGR_TEST_OUT (test-artifacts/), CERTMGR_TEST_FILTER (dotnet test --filter;
# the run says that it was narrowed).
set -euo pipefail

# Everything the tests need from Debian, in one place.
DEB_PACKAGES="postgresql openssl sqlite3 chromium nginx openssh-server curl ca-certificates openjdk-17-jre-headless haproxy apache2 postfix pebble lego certbot bind9 bind9-utils"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
CONFIG=${CERTMGR_TEST_CONFIG:-Release}
OUT=${CERTMGR_TEST_OUT:-$ROOT/test-artifacts}
RESULTS="$OUT/results"
LOGS="$OUT/logs"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 \
  DOTNET_CLI_UI_LANGUAGE=en MSBUILDTERMINALLOGGER=off

log() { printf '[%s] %s\n' "$(date +%T)" "$*"; }
# The closing line is printed on every path, so that a reader always finds one.
finish() { echo "$1 passed, $2 failed"; exit "$3"; }

rm -rf "$RESULTS" "$LOGS"
mkdir -p "$RESULTS" "$LOGS"

# --- 1. Debian packages ---------------------------------------------------------------------------
missing=()
for p in $DEB_PACKAGES; do
  dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  log "installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" != 0 ]; then
    log "ERROR: not root, cannot install: ${missing[*]}"
    finish 0 1 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  if ! { apt-get -o DPkg::Lock::Timeout=300 update -qq &&
    apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}"; } >"$LOGS/apt.log" 2>&1; then
    tail -n 30 "$LOGS/apt.log"
    log "ERROR: apt-get failed (log: $LOGS/apt.log)"
    finish 0 1 1
  fi
fi

command -v dotnet >/dev/null || { log "ERROR: the .NET SDK (dotnet) is not on PATH"; finish 0 1 1; }

# --- 2. private PostgreSQL cluster ----------------------------------------------------------------
PGBIN=${CERTMGR_TEST_PGBIN:-}
if [ -z "$PGBIN" ]; then
  for d in /usr/lib/postgresql/15/bin $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
    if [ -x "$d/initdb" ]; then PGBIN=$d; break; fi
  done
fi
[ -n "$PGBIN" ] || { log "ERROR: no PostgreSQL server binaries under /usr/lib/postgresql"; finish 0 1 1; }

# Under /tmp (not /root): the postgres user must be able to reach the data directory.
WORK=$(mktemp -d /tmp/certmgr-test.XXXXXX)
chmod 755 "$WORK"
PGDATA="$WORK/pg"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  if [ -f "$PGDATA/postmaster.pid" ]; then
    as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

log "starting PostgreSQL ($("$PGBIN/postgres" --version | awk '{print $3}')) under $WORK"
mkdir -p "$PGDATA"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$PGDATA"
if ! as_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --no-locale --no-sync >"$LOGS/initdb.log" 2>&1; then
  tail -n 20 "$LOGS/initdb.log"
  log "ERROR: initdb failed"
  finish 0 1 1
fi
PGPORT=""
for _ in 1 2 3 4 5 6 7 8; do
  p=$((20000 + RANDOM % 30000))
  [ "$p" != 5432 ] && port_free "$p" || continue
  if as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $p -k $PGDATA -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null 2>&1; then
    PGPORT=$p
    break
  fi
done
if [ -z "$PGPORT" ]; then
  tail -n 20 "$PGDATA/server.log" 2>/dev/null || true
  log "ERROR: PostgreSQL did not start"
  finish 0 1 1
fi
"$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres certmgr_test
export CERTMGR_TEST_PG="Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=certmgr_test"
export CERTMGR_TEST_PGBIN="$PGBIN"
log "PostgreSQL listening on 127.0.0.1:$PGPORT"

# --- 3. build once, then every test project -------------------------------------------------------
mapfile -t projects < <(find tests -name '*.csproj' -not -path '*/bin/*' -not -path '*/obj/*' 2>/dev/null | sort)
if ((${#projects[@]} == 0)); then
  log "ERROR: no test projects under tests/"
  finish 0 1 1
fi

log "dotnet build CertMgr.slnx -c $CONFIG"
if ! dotnet build CertMgr.slnx -c "$CONFIG" -nologo -v minimal >"$LOGS/build.log" 2>&1; then
  grep -E ': (error|warning) ' "$LOGS/build.log" | sed "s|$ROOT/||g" | sort -u | head -n 40 || tail -n 40 "$LOGS/build.log"
  log "ERROR: build failed (log: $LOGS/build.log)"
  finish 0 1 1
fi
log "build ok"

broken=()
for proj in "${projects[@]}"; do
  name=$(basename "$proj" .csproj)
  log "dotnet test $name"
  set +e
  dotnet test "$proj" -c "$CONFIG" --no-build --nologo \
    --results-directory "$RESULTS" \
    --logger "trx;LogFileName=$name.trx" \
    --logger "console;verbosity=minimal" \
    --blame-hang-timeout 20m \
    ${CERTMGR_TEST_FILTER:+--filter "$CERTMGR_TEST_FILTER"} >"$LOGS/$name.log" 2>&1
  rc=$?
  set -e
  # Failures and the runner's summary; not the build noise.
  grep -vE "^\s*$|^Build started|^Test run for|^VSTest version|^Starting test execution|^A total of|^Results File:|Data collector 'Blame' message: All tests finished" \
    "$LOGS/$name.log" | sed "s|$ROOT/||g" | head -n 200 | sed 's/^/    /' || true
  if [ ! -s "$RESULTS/$name.trx" ]; then
    log "ERROR: $name wrote no TRX (exit $rc; log: $LOGS/$name.log)"
    broken+=("$name")
  elif [ "$rc" != 0 ]; then
    log "$name: exit code $rc"
    # Failed tests are counted from the TRX; a non-zero exit with none failed means the run itself broke.
    grep -qE '<Counters [^>]*failed="[1-9]' "$RESULTS/$name.trx" || broken+=("$name")
  fi
done

# --- 4. totals -------------------------------------------------------------------------------------
attr() { sed -n "s/.*<Counters[^>]*[[:space:]]$1=\"\([0-9]*\)\".*/\1/p" "$2" | head -n 1; }
passed=0
failed=0
for proj in "${projects[@]}"; do
  name=$(basename "$proj" .csproj)
  trx="$RESULTS/$name.trx"
  [ -s "$trx" ] || continue
  p=$(attr passed "$trx")
  t=$(attr total "$trx")
  if [ -z "$p" ] || [ -z "$t" ]; then
    log "ERROR: $name: no Counters in $trx"
    broken+=("$name")
    continue
  fi
  if [ "$t" = 0 ]; then
    if [ -n "${CERTMGR_TEST_FILTER:-}" ]; then
      log "$name: no test matches the filter"
      continue
    fi
    log "ERROR: $name ran no test"
    broken+=("$name")
  fi
  # Every test that did not pass is a failure here, whatever the runner called it.
  f=$((t - p))
  detail=""
  for a in failed error timeout aborted inconclusive; do
    n=$(attr "$a" "$trx" || true)
    [ -n "$n" ] && [ "$n" != 0 ] && detail+=" $a=$n"
  done
  # The TRX leaves skipped tests out of "executed" (its notExecuted counter stays 0).
  e=$(attr executed "$trx" || true)
  [ -n "$e" ] && ((t > e)) && detail+=" skipped-or-not-run=$((t - e))"
  log "$name: $p passed, $f failed, $t total${detail:+ ($detail )}"
  if ((f > 0)); then
    # Name the tests that did not pass (outcome other than Passed) so a skipped test cannot hide.
    grep -oE '<UnitTestResult [^>]*testName="[^"]*"[^>]*outcome="[^"]*"' "$trx" |
      sed -nE 's/.*testName="([^"]*)".*outcome="([^"]*)".*/\2 \1/p' | grep -v '^Passed ' | head -n 40 | sed 's/^/    /' || true
  fi
  passed=$((passed + p))
  failed=$((failed + f))
done

status=0
if ((${#broken[@]})); then
  mapfile -t broken < <(printf '%s\n' "${broken[@]}" | sort -u)
  log "ERROR: projects that did not run properly (each counted as 1 failed): ${broken[*]}"
  failed=$((failed + ${#broken[@]}))
  status=1
fi
((failed == 0)) || status=1
if [ -n "${CERTMGR_TEST_FILTER:-}" ] && ((passed + failed == 0)); then
  log "ERROR: no test in any project matches CERTMGR_TEST_FILTER (counted as 1 failed)"
  failed=1
  status=1
fi
if [ -n "${CERTMGR_TEST_FILTER:-}" ]; then
  log "NOTE: CERTMGR_TEST_FILTER narrowed this run to: $CERTMGR_TEST_FILTER (not the whole suite)"
fi
log "results: $RESULTS"
finish "$passed" "$failed" "$status"
