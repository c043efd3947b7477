#!/usr/bin/env bash
# Times `sparklint check` on a generated PySpark code base (200,000+ lines)
# and on this machine's Python standard library, cold (--no-cache) and with
# a warm result cache, and prints lines/s and peak RSS. Usage:
#   bench/bench.sh            # from the repository root
#   LINES=400000 bench/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
work=${BENCH_DIR:-/tmp/sparklint-bench}
lines=${LINES:-200000}
mkdir -p "$work"
go build -o "$work/sparklint" ./cmd/sparklint
go build -o "$work/runstat" ./bench/runstat
go run ./bench/gencorpus -out "$work/pyspark" -lines "$lines"

stdlib=$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
rm -rf "$work/stdlib" && mkdir -p "$work/stdlib"
(cd "$stdlib" && find . -path ./site-packages -prune -o -name '*.py' -type f -print0 | xargs -0 cp --parents -t "$work/stdlib")

count() { find "$1" -name '*.py' -type f -print0 | xargs -0 cat | wc -l; }
pl=$(count "$work/pyspark")
sl=$(count "$work/stdlib")
echo "machine: $(nproc) cores, $(go version | cut -d' ' -f3)"
echo "pyspark corpus: $pl lines; stdlib: $sl lines"

run() { # label dir lines extra-args...
	local label=$1 dir=$2 n=$3
	shift 3
	"$work/runstat" -label "$label" -lines "$n" -runs 3 -- "$work/sparklint" check --output-format json "$@" "$dir"
}
run "pyspark, cold (--no-cache)" "$work/pyspark" "$pl" --no-cache
rm -rf "$work/pyspark/.sparklint_cache"
"$work/sparklint" check --output-format json "$work/pyspark" >/dev/null || true
run "pyspark, cached" "$work/pyspark" "$pl"
run "stdlib, cold (--no-cache)" "$work/stdlib" "$sl" --no-cache
