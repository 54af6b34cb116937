#!/usr/bin/env bash
# Records the expected verdicts of the nats-server configuration corpus from the REAL binaries.
#
#   bash tests/corpus/conf/record.sh            # all cases  NNN-*.conf
#   bash tests/corpus/conf/record.sh 012 047    # only cases whose name starts with these prefixes
#
# For every case NNN-name.conf it writes NNN-name.expect next to it (see README.md for the format):
#   * `nats-server -t -c <abs path>` for every version in VERSIONS (stdout+stderr, exit code)
#   * `nats-server -c <abs path>` for START_VERSION only, judged 2 s after launch; a server that is
#     still running then is stopped by PID (TERM, then KILL) and recorded as `running`.
# RECORD_JOBS=n (default 2) cases are recorded concurrently.
# All binaries run with cwd = this directory (TLS paths in the cases are relative to it) and with a
# clean environment (`env -i PATH=...`) plus the variables declared on the case's first line:
#   # env: NAME=value NAME2=value2
# Every wait is bounded; the script never leaves a server running.
set -uo pipefail
export LC_ALL=C

DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$DIR/../../.." && pwd)
TOOLS=${NATS_SERVER_TOOLS:-$ROOT/tools/nats-server}
VERSIONS=(2.15.1 2.10.27 2.9.10)
START_VERSION=2.15.1
START_WAIT_TENTHS=20   # 2.0 s
PARALLEL=${RECORD_JOBS:-2}   # cases recorded concurrently (each case uses random ports, except the few fixed 241xx ones)
TEST_TIMEOUT=30        # upper bound for one `-t` run (2.9/2.10 need ~3 s to crash on an env cycle)
HEADER='# recorded from real nats-server binaries by record.sh; do not edit by hand'

cd "$DIR" || exit 1

for v in "${VERSIONS[@]}"; do
  if [[ ! -x "$TOOLS/$v/nats-server" ]]; then
    echo "record.sh: missing binary $TOOLS/$v/nats-server" >&2
    exit 1
  fi
done

if [[ ! -s tls/ca.pem || ! -s tls/server.pem || ! -s tls/server-key.pem ]]; then
  bash tls/make-certs.sh || exit 1
fi

TMP=$(mktemp -d)
cleanup() {
  local p
  for p in $(jobs -rp); do kill -TERM "$p" 2>/dev/null; done   # live jobs only; each stops its own server by PID
  wait 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

TS_RE='^\[[0-9]+\] [0-9]{4}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]+ \[([A-Z]{3})\] (.*)$'
POS_RE='^[^:]+:[0-9]+:[0-9]+: '

# subst LINE -> placeholders for the case path, the corpus dir and the 2.15 sha256
subst() {
  local s=$1
  s=${s//"$ABS"/"{file}"}
  s=${s//"$DIR"/"{dir}"}
  if [[ $s =~ ^(.*\(sha256:)[0-9a-f]{64}(\).*)$ ]]; then
    s="${BASH_REMATCH[1]}{sha}${BASH_REMATCH[2]}"
  fi
  printf '%s' "$s"
}

# sort_block: stdin = lines of one error block (first line may carry "nats-server: ").
# When the block holds several "<file>:<line>:<col>: msg" lines their order is random (Go map
# iteration), so they are sorted by file, line, column and the prefix is put back on the first line.
sort_block() {
  local -a lines=() ; local l prefix="" all=1
  mapfile -t lines
  ((${#lines[@]} == 0)) && return 0
  if [[ ${lines[0]} == "nats-server: "* ]]; then prefix="nats-server: "; lines[0]=${lines[0]#"nats-server: "}; fi
  if ((${#lines[@]} > 1)); then
    for l in "${lines[@]}"; do [[ $l =~ $POS_RE ]] || { all=0; break; }; done
  else
    all=0
  fi
  if ((all)); then
    mapfile -t lines < <(printf '%s\n' "${lines[@]}" | sort -t: -k1,1 -k2,2n -k3,3n -k4)
  fi
  lines[0]="$prefix${lines[0]}"
  printf '%s\n' "${lines[@]}"
}

# normalize_test OUTFILE -> normalized lines of a `-t` run
normalize_test() {
  local -a raw=() out=() ; local l crash=0
  mapfile -t raw < <(sed 's/\x00/<NUL>/g' "$1")
  for l in "${raw[@]}"; do [[ $l == "fatal error:"* ]] && crash=1; done
  for l in "${raw[@]}"; do
    l=${l%$'\r'}
    if ((crash)); then
      # Go runtime crash (stack overflow on an env reference cycle in 2.9/2.10): keep the two
      # stable header lines, drop addresses and the goroutine dump.
      [[ $l == "runtime: goroutine stack exceeds"* || $l == "fatal error:"* ]] || continue
    fi
    out+=("$(subst "$l")")
  done
  while ((${#out[@]})) && [[ -z ${out[-1]} ]]; do unset 'out[-1]'; done
  ((${#out[@]})) || return 0
  if ((crash)); then printf '%s\n' "${out[@]}"; else printf '%s\n' "${out[@]}" | sort_block; fi
}

# normalize_start OUTFILE ERRFILE WARNFILE
#   error lines: a line starting with "nats-server:" and every non-log line after it, plus [FTL] log lines
#   warn lines : non-log lines printed before any "nats-server:" line (config warnings such as
#                "<file>:4:3: invalid use of field ..."), and [WRN]/[ERR] log lines with the
#                "[pid] date time " prefix removed, except run-time route dial errors (timing dependent)
normalize_start() {
  local -a raw=() ; local l inerr=0 lvl msg
  local -a err=() pre=() logw=()
  mapfile -t raw < <(sed 's/\x00/<NUL>/g' "$1")
  for l in "${raw[@]}"; do
    if [[ $l == "fatal error:"* ]]; then   # Go runtime crash: keep only the two stable header lines
      : > "$3"
      printf '%s\n' "${raw[@]}" | grep -E '^(runtime: goroutine stack exceeds|fatal error:)' > "$2"
      return 0
    fi
  done
  for l in "${raw[@]}"; do
    l=${l%$'\r'}
    l=$(subst "$l")
    if [[ $l =~ $TS_RE ]]; then
      lvl=${BASH_REMATCH[1]}; msg=${BASH_REMATCH[2]}
      case $lvl in
        FTL) err+=("[FTL] $msg") ;;
        WRN|ERR)
          case $msg in
            *"Error trying to connect to route"*|*"dial tcp"*) ;;
            *) logw+=("[$lvl] $msg") ;;
          esac ;;
      esac
      continue
    fi
    if [[ $l == "nats-server:"* ]]; then inerr=1; fi
    if ((inerr)); then err+=("$l"); else pre+=("$l"); fi
  done
  while ((${#err[@]})) && [[ -z ${err[-1]} ]]; do unset 'err[-1]'; done
  local -a pre2=()
  for l in "${pre[@]}"; do [[ -n $l ]] && pre2+=("$l"); done
  : > "$2"; : > "$3"
  ((${#err[@]})) && printf '%s\n' "${err[@]}" | sort_block > "$2"
  if ((${#pre2[@]})); then
    if ((${#pre2[@]} > 1)); then printf '%s\n' "${pre2[@]}" | sort_block >> "$3"; else printf '%s\n' "${pre2[@]}" >> "$3"; fi
  fi
  ((${#logw[@]})) && printf '%s\n' "${logw[@]}" >> "$3"
  return 0
}

emit() { # emit PREFIX < lines   -> "PREFIX | line" (or "PREFIX |" for an empty line)
  local l
  while IFS= read -r l; do
    if [[ -n $l ]]; then printf '%s | %s\n' "$1" "$l"; else printf '%s |\n' "$1"; fi
  done
}

# alive PID: true while PID exists and is not a zombie
alive() {
  local _pid _comm st
  read -r _pid _comm st _ 2>/dev/null < "/proc/$1/stat" || return 1
  [[ -n $st && $st != Z ]]
}

# record_case FILE  (runs in its own subshell; writes NNN-name.expect atomically)
record_case() {
  local f=$1 name=${1%.conf} ctmp="$TMP/${1%.conf}" v rc first verdict
  local -a envs=()
  SERVER_PID=""; WATCH_PID=""
  ABS="$DIR/$f"
  mkdir -p "$ctmp"
  trap '[[ -n $WATCH_PID ]] && kill -KILL "$WATCH_PID" 2>/dev/null; [[ -n $SERVER_PID ]] && kill -KILL "$SERVER_PID" 2>/dev/null' EXIT
  trap 'exit 143' TERM INT
  first=$(head -n 1 "$f")
  if [[ $first =~ ^#[[:space:]]*env:[[:space:]]*(.*)$ ]]; then
    read -r -a envs <<< "${BASH_REMATCH[1]}"
  fi
  local exp="$ctmp/expect"
  printf '%s\n' "$HEADER" > "$exp"

  # Real start (START_VERSION only), launched first. A watcher judges it START_WAIT after launch:
  # still alive => it writes the 'running' marker and stops the server by PID (TERM, then KILL).
  env -i PATH="$PATH" "${envs[@]}" "$TOOLS/$START_VERSION/nats-server" -c "$ABS" > "$ctmp/start.out" 2>&1 < /dev/null &
  SERVER_PID=$!
  t0=${EPOCHREALTIME/./}
  (
    while alive "$SERVER_PID" && (( (${EPOCHREALTIME/./} - t0) < START_WAIT_TENTHS * 100000 )); do sleep 0.05; done
    if alive "$SERVER_PID"; then
      : > "$ctmp/running"
      kill -TERM "$SERVER_PID" 2>/dev/null
      j=0
      while ((j < 60)) && alive "$SERVER_PID"; do sleep 0.05; ((j++)); done   # <= 3 s
      alive "$SERVER_PID" && kill -KILL "$SERVER_PID" 2>/dev/null
    fi
    exit 0
  ) &
  WATCH_PID=$!

  # `-t` checks, every version, while the start is being watched
  for v in "${VERSIONS[@]}"; do
    env -i PATH="$PATH" "${envs[@]}" timeout -k 2 "$TEST_TIMEOUT" \
      "$TOOLS/$v/nats-server" -t -c "$ABS" > "$ctmp/out" 2>&1 < /dev/null
    rc=$?
    printf 'test %s exit %s\n' "$v" "$rc" >> "$exp"
    normalize_test "$ctmp/out" | emit "test $v" >> "$exp"
  done

  wait "$WATCH_PID" 2>/dev/null; WATCH_PID=""
  wait "$SERVER_PID"; rc=$?; SERVER_PID=""
  if [[ -e "$ctmp/running" ]]; then verdict="running"; else verdict="exit $rc"; fi
  normalize_start "$ctmp/start.out" "$ctmp/err" "$ctmp/warn"
  printf 'start %s %s\n' "$START_VERSION" "$verdict" >> "$exp"
  emit "start $START_VERSION" < "$ctmp/err" >> "$exp"
  emit "start $START_VERSION warn" < "$ctmp/warn" >> "$exp"

  mv "$exp" "$DIR/$name.expect"
  rm -rf "$ctmp"
  printf '%-52s %s\n' "$name" "$verdict"
}

# ---------------------------------------------------------------------------------------------
cases=()
if (($#)); then
  for p in "$@"; do for f in "$p"*.conf; do [[ -f $f ]] && cases+=("$f"); done; done
else
  for f in [0-9][0-9][0-9]-*.conf; do [[ -f $f ]] && cases+=("$f"); done
fi
((${#cases[@]})) || { echo "record.sh: no cases" >&2; exit 1; }

started=$SECONDS
for f in "${cases[@]}"; do
  while (( $(jobs -rp | wc -l) >= PARALLEL )); do wait -n; done
  record_case "$f" &
done
wait

# drop .expect files whose case no longer exists (full runs only)
if ((! $#)); then
  for e in [0-9][0-9][0-9]-*.expect; do
    [[ -f $e && ! -f ${e%.expect}.conf ]] && rm -f "$e"
  done
fi
n_running=$(grep -l "^start $START_VERSION running\$" "${cases[@]/%.conf/.expect}" 2>/dev/null | wc -l)
echo "record.sh: ${#cases[@]} cases, start ${START_VERSION}: ${n_running} running, $(( ${#cases[@]} - n_running )) exited; $((SECONDS - started)) s"
