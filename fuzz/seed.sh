#!/bin/sh
# Fill fuzz/corpus/<target>/ with seeds from the rule fixtures (../fixtures). The corpus
# directories are not committed: run this once before `cargo fuzz run`.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
fixtures="$here/../fixtures"
for target in terraform yaml json dockerfile dotenv lint_file; do
    mkdir -p "$here/corpus/$target"
done
n=0
find "$fixtures" -type f | sort | while read -r file; do
    n=$((n + 1))
    name=$(basename "$file")
    seed="$(printf '%05d' "$n")-$(echo "$name" | tr -c 'A-Za-z0-9._-' '_')"
    case "$name" in
        *.tf|*.tfvars) cp "$file" "$here/corpus/terraform/$seed"; pick=0 ;;
        *.tf.json) cp "$file" "$here/corpus/terraform/$seed"; cp "$file" "$here/corpus/json/$seed"; pick=2 ;;
        *.yaml|*.yml) cp "$file" "$here/corpus/yaml/$seed"; pick=3 ;;
        *.json) cp "$file" "$here/corpus/json/$seed"; pick=4 ;;
        Dockerfile*|Containerfile*|*.dockerfile) cp "$file" "$here/corpus/dockerfile/$seed"; pick=5 ;;
        .env*) cp "$file" "$here/corpus/dotenv/$seed"; pick=6 ;;
        *.expect) continue ;;
        *) pick=10 ;;
    esac
    # lint_file: the first byte picks the file name (see fuzz_targets/lint_file.rs).
    case "$file" in
        */.github/workflows/*) pick=7 ;;
        *docker-compose*|*compose.y*) pick=8 ;;
        */action.y*) pick=9 ;;
    esac
    { printf "\\$(printf '%03o' "$pick")"; cat "$file"; } > "$here/corpus/lint_file/$seed"
done
