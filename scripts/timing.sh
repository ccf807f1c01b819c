# Timing shared by the bench scripts (sourced, not run). Needs HYPERFINE (its path, or empty
# when it is not installed) and TIMING_DIR (a scratch directory).

# Median of the numbers on stdin.
median() {
    python3 -c 'import statistics,sys; v=[float(x) for x in sys.stdin.read().split()]; print(round(statistics.median(v),2) if v else "nan")'
}

# Median wall time (ms) of a command run $1 times after one warm-up run; its output is
# discarded and its exit code ignored.
time_ms() {
    local runs="$1"; shift
    if [ -n "$HYPERFINE" ]; then
        "$HYPERFINE" --style none --warmup 1 --runs "$runs" -N --ignore-failure \
            --export-json "$TIMING_DIR/hf.json" -- "$(printf '%q ' "$@")" >/dev/null 2>&1
        python3 -c 'import json,sys; print(" ".join(str(t * 1000) for t in json.load(open(sys.argv[1]))["results"][0]["times"]))' \
            "$TIMING_DIR/hf.json" | median
    else
        "$@" >/dev/null 2>&1 || true
        for _ in $(seq "$runs"); do
            local t0; t0=$(date +%s%N); "$@" >/dev/null 2>&1 || true; echo "$(( ($(date +%s%N) - t0) / 1000 ))"
        done | python3 -c 'import sys; print(" ".join(str(float(x) / 1000) for x in sys.stdin.read().split()))' | median
    fi
}
