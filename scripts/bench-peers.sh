#!/usr/bin/env bash
# trustlint and Checkov side by side on the real-world corpus, in one run.
#
#   scripts/bench-peers.sh [--quick] [--runs N] [--corpus DIR] [--out FILE] [REPO-FILTER...]
#
# For each corpus repository (or those whose name contains one of the filters): the median
# wall time over N warm runs (default 3; hyperfine with more runs for trustlint, which is
# cheap), the peak RSS (`/usr/bin/time -v`), the findings of each tool, and the floor: the
# time to walk and read the same files (`find | xargs cat`). Prints a markdown table and
# keeps a copy under target/peers/.
#
# --quick: one run each on a small subset (three quick repositories for Checkov).
# The corpus is ../shared/corpus beside the checkout (or beside the main checkout of a git
# worktree), or --corpus / $TRUSTLINT_CORPUS. Without it the script says so and exits 0.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PEERS="$ROOT/target/peers"
CHECKOV_VERSION="3.3.30"
RUNS=3
QUICK=0
CORPUS="${TRUSTLINT_CORPUS:-}"
OUT=""
FILTERS=()

usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
    case "$1" in
        --quick) QUICK=1; RUNS=1 ;;
        --runs) RUNS="$2"; shift ;;
        --corpus) CORPUS="$2"; shift ;;
        --out) OUT="$2"; shift ;;
        -h|--help) usage; exit 0 ;;
        -*) echo "unknown option $1" >&2; usage >&2; exit 2 ;;
        *) FILTERS+=("$1") ;;
    esac
    shift
done

log() { echo "[bench-peers] $*" >&2; }

# --- the corpus -------------------------------------------------------------------------
if [ -z "$CORPUS" ]; then
    for candidate in "$ROOT/../shared/corpus" \
        "$(dirname "$(git -C "$ROOT" rev-parse --path-format=absolute --git-common-dir 2>/dev/null || echo /nonexistent/x)")/../shared/corpus"; do
        if [ -d "$candidate" ]; then CORPUS="$(cd "$candidate" && pwd)"; break; fi
    done
fi
if [ -z "$CORPUS" ] || [ ! -d "$CORPUS" ]; then
    log "no corpus found (../shared/corpus, --corpus DIR or TRUSTLINT_CORPUS): skipping"
    exit 0
fi

REPOS=()
for dir in "$CORPUS"/*/; do
    name="$(basename "$dir")"
    if [ ${#FILTERS[@]} -gt 0 ]; then
        keep=0
        for f in "${FILTERS[@]}"; do case "$name" in *"$f"*) keep=1 ;; esac; done
        [ $keep = 1 ] || continue
    elif [ $QUICK = 1 ]; then
        # Small repositories of three formats, where Checkov takes tens of seconds, not minutes.
        case "$name" in starter-workflows|microservices-demo|terraform-aws-s3-bucket) ;; *) continue ;; esac
    fi
    REPOS+=("$name")
done
if [ ${#REPOS[@]} = 0 ]; then log "no repository matches ${FILTERS[*]:-}"; exit 2; fi

# --- tools ------------------------------------------------------------------------------
log "building the release binary"
(cd "$ROOT" && cargo build --release --locked --quiet)

CHECKOV="$PEERS/venv/bin/checkov"
if [ ! -x "$CHECKOV" ]; then
    log "installing checkov $CHECKOV_VERSION into $PEERS/venv"
    mkdir -p "$PEERS"
    python3 -m venv "$PEERS/venv"
    "$PEERS/venv/bin/pip" install --quiet "checkov==$CHECKOV_VERSION"
fi
installed="$("$CHECKOV" --version 2>/dev/null || true)"
[ "$installed" = "$CHECKOV_VERSION" ] || log "warning: checkov reports version '$installed', expected $CHECKOV_VERSION"

GNU_TIME=/usr/bin/time
if ! "$GNU_TIME" -v true >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        log "installing GNU time"
        apt-get install -y -qq time >/dev/null 2>&1 || true
    fi
fi
if ! "$GNU_TIME" -v true >/dev/null 2>&1; then
    log "GNU time is not available: peak RSS will read n/a"
    GNU_TIME=""
fi
HYPERFINE="$(command -v hyperfine || true)"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
# A copy, so a rebuild during a long run does not change the binary under measurement.
TRUSTLINT="$WORK/trustlint"
cp "$ROOT/target/release/trustlint" "$TRUSTLINT"
# Rows are kept as they are measured, so an interrupted run leaves what it measured.
mkdir -p "$PEERS"
RESULTS="$PEERS/rows-$(date -u +%Y%m%dT%H%M%SZ).tsv"
: >"$RESULTS"

# Milliseconds since the epoch, as an integer.
now_ms() { date +%s%3N; }

TIMING_DIR="$WORK"
# shellcheck source=scripts/timing.sh
. "$ROOT/scripts/timing.sh"

# Peak RSS in MB of one run of a command (stdout to $WORK/out), or n/a; the CPU time it
# took (user + system, ms) is left in $WORK/cpu.
peak_rss() {
    echo n/a >"$WORK/cpu"
    if [ -z "$GNU_TIME" ]; then "$@" >"$WORK/out" 2>/dev/null || true; echo n/a; return; fi
    "$GNU_TIME" -v -o "$WORK/time.txt" "$@" >"$WORK/out" 2>/dev/null || true
    awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.0f\n", s * 1000 }' "$WORK/time.txt" >"$WORK/cpu"
    awk -F: '/Maximum resident set size/ { printf "%.0f\n", $2/1024 }' "$WORK/time.txt"
}

trustlint_findings() {
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["findings"])' "$1" 2>/dev/null || echo "?"
}
trustlint_files() {
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["files"])' "$1" 2>/dev/null || echo "?"
}
checkov_findings() {
    python3 - "$1" <<'EOF' 2>/dev/null || echo "?"
import json, sys
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
try:
    data = json.loads(text)
except ValueError:
    # Checkov may print warnings before its JSON: decode from the first line that opens it.
    start = min((i for i in (text.find("\n["), text.find("\n{")) if i >= 0), default=-1)
    data = json.JSONDecoder().raw_decode(text[start + 1:].lstrip())[0]
reports = data if isinstance(data, list) else [data]
print(sum(r.get("summary", r).get("failed", 0) for r in reports if isinstance(r, dict)))
EOF
}

# The floor: walk the repository and read every file trustlint would read (the corpus has
# no ignore files; `.git` and `.terraform` are skipped as trustlint skips them).
floor_cmd() {
    printf 'find %q \\( -name .git -o -name .terraform -o -name .terragrunt-cache \\) -prune -o -type f -print0 | xargs -0 cat >/dev/null' "$1"
}

TL_RUNS=$(( RUNS < 10 ? 10 : RUNS ))
[ $QUICK = 1 ] && TL_RUNS=5
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
STARTED="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
log "corpus: $CORPUS (${#REPOS[@]} repositories), $RUNS Checkov run(s), $TL_RUNS trustlint runs each"

for repo in "${REPOS[@]}"; do
    dir="$CORPUS/$repo"
    log "$repo: floor"
    floor=$(time_ms "$TL_RUNS" sh -c "$(floor_cmd "$dir")")
    log "$repo: trustlint"
    tl_ms=$(time_ms "$TL_RUNS" "$TRUSTLINT" lint "$dir" --format json --fail-on never)
    tl_rss=$(peak_rss "$TRUSTLINT" lint "$dir" --format json --fail-on never)
    tl_cpu=$(cat "$WORK/cpu")
    tl_findings=$(trustlint_findings "$WORK/out")
    files=$(trustlint_files "$WORK/out")
    log "$repo: trustlint ${tl_ms} ms, ${tl_rss} MB; checkov (${RUNS} run(s), minutes each)"
    ck_times=()
    ck_cpus=()
    ck_rss_max=0
    for _ in $(seq "$RUNS"); do
        t0=$(now_ms)
        rss=$(peak_rss "$CHECKOV" -d "$dir" --quiet --compact -o json)
        ck_times+=($(( $(now_ms) - t0 )))
        ck_cpus+=("$(cat "$WORK/cpu")")
        if [ "$rss" != n/a ] && [ "$rss" -gt "$ck_rss_max" ]; then ck_rss_max=$rss; fi
    done
    [ -z "$GNU_TIME" ] && ck_rss_max=n/a
    ck_ms=$(printf '%s\n' "${ck_times[@]}" | median)
    ck_cpu=$(printf '%s\n' "${ck_cpus[@]}" | grep -v n/a | median)
    ck_findings=$(checkov_findings "$WORK/out")
    log "$repo: checkov ${ck_ms} ms, ${ck_rss_max} MB"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$repo" "$files" "$floor" "$tl_ms" "$ck_ms" \
        "$tl_rss" "$ck_rss_max" "$tl_findings" "$ck_findings" "$tl_cpu" "$ck_cpu" >>"$RESULTS"
done

# The whole corpus in one invocation, against the floor over the same tree.
whole_tl="" whole_floor="" whole_rss=""
if [ ${#FILTERS[@]} = 0 ] && [ $QUICK = 0 ]; then
    log "whole corpus: floor and trustlint"
    whole_floor=$(time_ms "$TL_RUNS" sh -c "$(floor_cmd "$CORPUS")")
    whole_tl=$(time_ms "$TL_RUNS" "$TRUSTLINT" lint "$CORPUS" --format json --fail-on never)
    whole_rss=$(peak_rss "$TRUSTLINT" lint "$CORPUS" --format json --fail-on never)
fi
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"

report="$(python3 - "$RESULTS" "$whole_tl" "$whole_floor" "$whole_rss" <<'EOF'
import statistics, sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1]) if line.strip()]
whole_tl, whole_floor, whole_rss = sys.argv[2:5]

def num(x):
    try:
        return float(x)
    except ValueError:
        return None

print("| repository | files | floor ms | trustlint ms | Checkov ms | wall ratio "
      "| trustlint CPU ms | Checkov CPU ms | CPU ratio "
      "| trustlint RSS MB | Checkov RSS MB | RSS ratio | trustlint findings | Checkov findings |")
print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
ratios, cpu_ratios, rss_ratios, tl_sum, floor_sum = [], [], [], 0.0, 0.0
fmt = lambda v, d=0: "n/a" if v is None else f"{v:,.{d}f}"
for repo, files, floor, tl, ck, tl_rss, ck_rss, tl_f, ck_f, tl_cpu, ck_cpu in rows:
    t, c, f = num(tl), num(ck), num(floor)
    ratio = c / t if t and c else None
    cpu_ratio = num(ck_cpu) / num(tl_cpu) if num(tl_cpu) and num(ck_cpu) else None
    rr = num(ck_rss) / num(tl_rss) if num(tl_rss) and num(ck_rss) else None
    if ratio: ratios.append(ratio)
    if cpu_ratio: cpu_ratios.append(cpu_ratio)
    if rr: rss_ratios.append(rr)
    tl_sum += t or 0
    floor_sum += f or 0
    print(f"| {repo} | {files} | {fmt(f, 1)} | {fmt(t, 1)} | {fmt(c)} | {fmt(ratio)}x "
          f"| {fmt(num(tl_cpu))} | {fmt(num(ck_cpu))} | {fmt(cpu_ratio)}x "
          f"| {tl_rss} | {ck_rss} | {fmt(rr, 1)}x | {tl_f} | {ck_f} |")
print()
if ratios:
    print(f"- median Checkov / trustlint wall-time ratio: **{statistics.median(ratios):,.0f}x** "
          f"(smallest {min(ratios):,.0f}x); goal >= 100x")
if cpu_ratios:
    print(f"- median Checkov / trustlint CPU-time ratio (user + system): {statistics.median(cpu_ratios):,.0f}x "
          f"(smallest {min(cpu_ratios):,.0f}x)")
if rss_ratios:
    print(f"- peak RSS: trustlint uses at most 1/{min(rss_ratios):.1f} of Checkov's "
          f"(median 1/{statistics.median(rss_ratios):.1f}); goal <= 1/5")
if floor_sum:
    print(f"- sum over the repositories: trustlint {tl_sum:,.0f} ms, floor {floor_sum:,.0f} ms "
          f"({tl_sum / floor_sum:.1f}x the floor)")
if num(whole_tl) and num(whole_floor):
    print(f"- floor, whole corpus in one invocation: trustlint {num(whole_tl):,.0f} ms "
          f"({whole_rss} MB), `find | xargs cat` {num(whole_floor):,.0f} ms: "
          f"**{num(whole_tl) / num(whole_floor):.1f}x the floor**; goal <= 10x")
EOF
)"

{
    echo "$report"
    echo
    echo "Measured $STARTED on $(nproc) cores ($(uname -m)), trustlint $("$TRUSTLINT" --version | cut -d' ' -f2)," \
        "checkov $installed; medians of $RUNS Checkov run(s) and $TL_RUNS trustlint runs, warm cache;" \
        "load average $LOAD_BEFORE before, $LOAD_AFTER after (other processes share the cores)."
} | tee "${OUT:-$PEERS/bench-peers-$(date -u +%Y%m%dT%H%M%SZ).md}"
