package lsp

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"
)

// genPySpark returns a PySpark module of about n lines: jobs with
// DataFrame chains, RDD pipelines, UDFs and helpers, with findings.
func genPySpark(n int) string {
	var b strings.Builder
	b.WriteString(`"""Generated job (benchmark)."""
from pyspark.sql import SparkSession
import pyspark.sql.functions as F
from pyspark.sql.functions import udf

spark = SparkSession.builder.appName("bench").getOrCreate()
sc = spark.sparkContext
seen = []
`)
	for i := 0; strings.Count(b.String(), "\n") < n; i++ {
		fmt.Fprintf(&b, `

def clean_%[1]d(line):
    text = line.strip()
    if not text:
        seen.append(line)
        return None
    return text.lower()


@udf("string")
def upper_%[1]d(s):
    return s.upper() if s else None


def job_%[1]d(path):
    df = spark.read.parquet(path + "/%[1]d")
    out = (df.filter(F.col("amount") > %[1]d)
             .withColumn("name", upper_%[1]d(F.col("name")))
             .groupBy("store").agg(F.sum("amount").alias("total")))
    pairs = sc.textFile(path).map(clean_%[1]d).map(lambda l: (l, 1))
    counts = pairs.groupByKey().mapValues(sum)
    rows = out.collect()
    for r in rows:
        print(r["store"], r["total"])  # é 😀
    return counts
`, i)
	}
	return b.String()
}

type keystrokeStats struct {
	p50, p99, max      time.Duration
	heapBefore, heapAf uint64
	rssBefore, rssAf   uint64
	lines, diags       int
	full               int // keystrokes answered with a full report
}

func heapMB() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// rss returns the resident set size of the process (server and client
// both: they run in-process), 0 when unknown.
func rss() uint64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var kb uint64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &kb)
			return kb << 10
		}
	}
	return 0
}

// replayKeystrokes opens a generated file of `lines` lines in a server
// over an in-memory pipe, then types `keys` characters one edit at a time
// (a new statement in the middle of the file, line by line), measuring
// from sending didChange to receiving the diagnostics (a pull request
// sent right after the change).
func replayKeystrokes(tb testing.TB, lines, keys int) keystrokeStats {
	dir := tb.TempDir()
	path := filepath.Join(dir, "big_job.py")
	src := genPySpark(lines)
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		tb.Fatal(err)
	}
	var st keystrokeStats
	st.lines = strings.Count(src, "\n")
	st.heapBefore, st.rssBefore = heapMB(), rss()
	c := newClient(tb, clientOpts{root: dir, pull: true})
	uri := pathToURI(path)
	c.open(uri, src)
	first := c.pullDiags(uri)
	st.diags = len(first.Items)
	prev := first.ResultID

	// Type inside the body of a function in the middle of the file.
	text := strings.Split(src, "\n")
	row := len(text) / 2
	for !strings.HasPrefix(text[row], "    return counts") {
		row++
	}
	const typed = "    extra = df.groupBy(\"store\").count().collect()\n"
	lat := make([]time.Duration, 0, keys)
	col := 0
	for i := range keys {
		ch := string(typed[i%len(typed)])
		start := time.Now()
		c.change(uri, int32(i+2), TextDocumentContentChangeEvent{Range: &Range{Position{row, col}, Position{row, col}}, Text: ch})
		// As VS Code does, the pull names the report it has.
		var r DocumentDiagnosticReport
		c.call("textDocument/diagnostic", DocumentDiagnosticParams{TextDocument: TextDocumentIdentifier{URI: uri}, PreviousResultID: prev}, &r)
		lat = append(lat, time.Since(start))
		switch {
		case r.Kind == "full":
			st.full++
		case r.Kind != "unchanged" || r.ResultID != prev:
			tb.Fatalf("keystroke %d: %+v", i, r)
		}
		prev = r.ResultID
		if ch == "\n" {
			row, col = row+1, 0
		} else {
			col++
		}
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	st.p50, st.p99, st.max = lat[len(lat)/2], lat[len(lat)*99/100], lat[len(lat)-1]
	st.heapAf, st.rssAf = heapMB(), rss()
	return st
}

// BenchmarkKeystrokes: one op is one keystroke on a 5,000-line file,
// didChange to diagnostics.
func BenchmarkKeystrokes(b *testing.B) {
	st := replayKeystrokes(b, 5000, b.N)
	b.ReportMetric(float64(st.p50.Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(st.p99.Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(st.heapAf)/(1<<20), "heap-MB")
}

// TestKeystrokeLatencyReport prints the latency of 1,000 keystrokes on a
// generated 5,000-line PySpark file (no assertion on timings):
//
//	go test -run TestKeystrokeLatencyReport -v ./lsp
func TestKeystrokeLatencyReport(t *testing.T) {
	// The figures are for -v; a plain (or -short) run types a few keys.
	keys := 1000
	if !testing.Verbose() || testing.Short() {
		keys = 30
	}
	st := replayKeystrokes(t, 5000, keys)
	t.Logf("%d keystrokes on a %d-line file (%d diagnostics; %d full reports, the rest unchanged): didChange -> diagnostics p50 %v, p99 %v, max %v",
		keys, st.lines, st.diags, st.full, st.p50.Round(10*time.Microsecond), st.p99.Round(10*time.Microsecond), st.max.Round(10*time.Microsecond))
	t.Logf("Go heap (after GC) %.1f MB before, %.1f MB after; RSS %.1f MB before, %.1f MB after",
		float64(st.heapBefore)/(1<<20), float64(st.heapAf)/(1<<20), float64(st.rssBefore)/(1<<20), float64(st.rssAf)/(1<<20))
}
