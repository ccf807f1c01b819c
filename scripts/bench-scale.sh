#!/usr/bin/env bash
# How trustlint scales: generated trees of 1k, 10k and 100k files (scripts/gen-repo.py),
# each linted with --jobs 1 and --jobs 2, and the start-up time on an empty directory.
#
#   scripts/bench-scale.sh [--sizes "1000 10000 100000"] [--runs N] [--seed S] [--out FILE]
#
# Trees are generated once under target/bench-scale/ (deterministic from the seed) and
# reused. Timing uses hyperfine when installed (apt-get install hyperfine), else a loop of
# `date`; medians of warm runs. Prints a markdown table and keeps a copy there.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK_DIR="$ROOT/target/bench-scale"
SIZES="1000 10000 100000"
RUNS=""
SEED=1
OUT=""

while [ $# -gt 0 ]; do
    case "$1" in
        --sizes) SIZES="$2"; shift ;;
        --runs) RUNS="$2"; shift ;;
        --seed) SEED="$2"; shift ;;
        --out) OUT="$2"; shift ;;
        -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done

log() { echo "[bench-scale] $*" >&2; }

log "building the release binary"
(cd "$ROOT" && cargo build --release --locked --quiet)
mkdir -p "$WORK_DIR"
TRUSTLINT="$WORK_DIR/trustlint"
cp "$ROOT/target/release/trustlint" "$TRUSTLINT"
HYPERFINE="$(command -v hyperfine || true)"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

TIMING_DIR="$TMP"
# shellcheck source=scripts/timing.sh
. "$ROOT/scripts/timing.sh"

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
ROWS="$TMP/rows.tsv"
: >"$ROWS"
for n in $SIZES; do
    tree="$WORK_DIR/gen-$n-seed$SEED"
    if [ ! -f "$tree/.complete" ]; then
        log "generating $n files in $tree"
        rm -rf "$tree"
        python3 "$ROOT/scripts/gen-repo.py" "$tree/tree" --files "$n" --seed "$SEED" >&2
        touch "$tree/.complete"
    fi
    runs="${RUNS:-$(( n >= 100000 ? 3 : (n >= 10000 ? 5 : 10) ))}"
    floor=$(time_ms "$runs" sh -c "find $(printf %q "$tree/tree") -type f -print0 | xargs -0 cat >/dev/null")
    log "$n files: --jobs 1 ($runs runs)"
    j1=$(time_ms "$runs" "$TRUSTLINT" lint "$tree/tree" --format json --fail-on never --jobs 1)
    log "$n files: --jobs 2"
    j2=$(time_ms "$runs" "$TRUSTLINT" lint "$tree/tree" --format json --fail-on never --jobs 2)
    findings=$("$TRUSTLINT" lint "$tree/tree" --format json --fail-on never \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"]["findings"])')
    log "$n files: floor $floor ms, jobs 1 $j1 ms, jobs 2 $j2 ms, $findings findings"
    printf '%s\t%s\t%s\t%s\t%s\n' "$n" "$floor" "$j1" "$j2" "$findings" >>"$ROWS"
done

mkdir -p "$TMP/empty"
startup=$(time_ms 50 "$TRUSTLINT" lint "$TMP/empty")
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"

{
python3 - "$ROWS" "$startup" <<'EOF'
import sys
rows = [l.split("\t") for l in open(sys.argv[1]).read().splitlines() if l.strip()]
print("| files | floor ms | --jobs 1 ms | --jobs 2 ms | jobs 2 speed-up | µs per file (jobs 1) "
      "| µs per file (jobs 2) | per-file time vs previous size (jobs 1) | findings |")
print("|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
previous = None
for n, floor, j1, j2, findings in rows:
    n, floor, j1, j2 = int(n), float(floor), float(j1), float(j2)
    per1, per2 = j1 * 1000 / n, j2 * 1000 / n
    growth = f"{per1 / previous:.2f}x" if previous else "-"
    previous = per1
    print(f"| {n:,} | {floor:,.0f} | {j1:,.0f} | {j2:,.0f} | {j1 / j2:.2f}x | {per1:,.0f} | {per2:,.0f} "
          f"| {growth} | {findings} |")
print()
print(f"- `trustlint lint` of an empty directory: **{float(sys.argv[2]):.1f} ms** (median of 50 runs); goal < 10 ms")
print("- goals: per-file time at 100k within 1.3x of 10k; `--jobs 2` at least 1.7x faster than `--jobs 1`")
EOF
echo
echo "Measured $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores, trees from scripts/gen-repo.py --seed $SEED;" \
    "load average $LOAD_BEFORE before, $LOAD_AFTER after (other processes share the cores)."
} | tee "${OUT:-$WORK_DIR/bench-scale-$(date -u +%Y%m%dT%H%M%SZ).md}"
