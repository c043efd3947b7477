package lsp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// genPySpark returns a PySpark module of at least n lines: jobs with
// DataFrame chains, RDD pipelines, UDFs and helpers, with findings. It is
// testdata/keystrokes/header.py, then block.py again and again with {n}
// numbered (editors/tests/latency.js builds the same file).
func genPySpark(tb testing.TB, n int) string {
	header, err := os.ReadFile("testdata/keystrokes/header.py")
	if err != nil {
		tb.Fatal(err)
	}
	block, err := os.ReadFile("testdata/keystrokes/block.py")
	if err != nil {
		tb.Fatal(err)
	}
	var b strings.Builder
	b.Write(header)
	lines := bytes.Count(header, []byte{'\n'})
	for i := 0; lines < n; i++ {
		b.WriteString(strings.ReplaceAll(string(block), "{n}", strconv.Itoa(i)))
		lines += bytes.Count(block, []byte{'\n'})
	}
	return b.String()
}

type keystrokeStats struct {
	p50, p99, max        time.Duration
	heapWarm, heapAfter  uint64
	rssWarm, rssAfter    uint64
	rssPeak              uint64
	lines, diags, full   int // full: edits answered with a full report
	keys, edits          int
	heapBefore, rssStart uint64
	rss100               uint64 // after 100 edits
}

func heapMB() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// procStatus returns a field of /proc/self/status in bytes (the server
// and the client both: they run in-process), 0 when unknown.
func procStatus(field string) uint64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			var kb uint64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &kb)
			return kb << 10
		}
	}
	return 0
}

// typed is what the replay types, again and again, at the end of a line
// inside a function in the middle of the file: a new line, then a
// statement.
const typed = "\n    extra = df.groupBy(\"store\").count().collect()"

// closers are the pairs an editor closes by itself.
var closers = map[byte]byte{'(': ')', '[': ']', '{': '}', '"': '"', '\'': '\''}

// replayKeystrokes opens a generated file of `lines` lines in a server
// over an in-memory pipe, then makes `edits` edits by typing typed, one
// character at a time, measuring from sending didChange to receiving the
// diagnostics (a pull request sent right after the change, naming the
// previous report as VS Code does) to the arrival of the response's last
// byte: decoding it is the client's cost, not the server's (VS Code's
// JSON.parse is native; this test client's reflection-based decoding of
// 576 diagnostics takes longer than the analysis of a keystroke).
//
// With autoClose, the keystrokes make the edits VS Code makes by default
// (editor.autoClosingBrackets and autoClosingQuotes): an opening bracket
// or quote inserts its pair, and typing the closing one over the
// inserted one moves the cursor without an edit. Without, each character
// is an edit (an editor without auto-closing): while a quote is open,
// tree-sitter re-lexes the rest of the file.
func replayKeystrokes(tb testing.TB, lines, edits int, autoClose bool) keystrokeStats {
	// As `sparklint lsp` runs (TuneGC), restored after.
	gcPercent := debug.SetGCPercent(100)
	debug.SetGCPercent(gcPercent)
	defer debug.SetGCPercent(gcPercent)
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1)) // -1 reads it
	TuneGC()
	dir := tb.TempDir()
	path := filepath.Join(dir, "big_job.py")
	src := genPySpark(tb, lines)
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		tb.Fatal(err)
	}
	var st keystrokeStats
	st.lines = strings.Count(src, "\n")
	st.heapBefore, st.rssStart = heapMB(), procStatus("VmRSS")
	c := newClient(tb, clientOpts{root: dir, pull: true})
	uri := pathToURI(path)
	c.open(uri, src)
	first := c.pullDiags(uri)
	st.diags = len(first.Items)
	prev := first.ResultID
	st.heapWarm, st.rssWarm = heapMB(), procStatus("VmRSS")

	text := strings.Split(src, "\n")
	row := len(text) / 2
	for !strings.HasPrefix(text[row+1], "    return counts") {
		row++
	}
	lat := make([]time.Duration, 0, edits)
	local := []byte(src) // the text as the client has it
	col := len(text[row])
	var pending []byte // closers inserted ahead of the cursor
	for i := 0; st.edits < edits; i++ {
		ch := typed[i%len(typed)]
		st.keys++
		ins := string(ch)
		if autoClose {
			if n := len(pending); n > 0 && pending[n-1] == ch {
				pending = pending[:n-1]
				col++ // typed over the closer: no edit
				continue
			}
			if cl, ok := closers[ch]; ok {
				ins += string(cl)
				pending = append(pending, cl)
			}
		}
		if st.edits == 100 {
			st.rss100 = procStatus("VmRSS")
		}
		st.edits++
		start := time.Now()
		c.change(uri, int32(st.edits+1), TextDocumentContentChangeEvent{Range: &Range{Position{row, col}, Position{row, col}}, Text: ins})
		var r struct {
			Kind     string          `json:"kind"`
			ResultID string          `json:"resultId"`
			Items    json.RawMessage `json:"items"`
		}
		c.call("textDocument/diagnostic", DocumentDiagnosticParams{TextDocument: TextDocumentIdentifier{URI: uri}, PreviousResultID: prev}, &r)
		lat = append(lat, c.lastArrival().Sub(start))
		switch {
		case r.Kind == "full":
			st.full++
		case r.Kind != "unchanged" || r.ResultID != prev:
			tb.Fatalf("edit %d: %+v", st.edits, r)
		}
		prev = r.ResultID
		off := lineStarts(local)[row] + col
		local = slices.Insert(local, off, []byte(ins)...)
		if ch == '\n' {
			row, col, pending = row+1, 0, nil
		} else {
			col++
		}
	}
	slices.Sort(lat)
	st.p50, st.p99, st.max = lat[len(lat)/2], lat[len(lat)*99/100], lat[len(lat)-1]
	st.heapAfter, st.rssAfter, st.rssPeak = heapMB(), procStatus("VmRSS"), procStatus("VmHWM")

	// After all the incremental work, the diagnostics are those of the
	// final text opened afresh.
	got := c.pullDiags(uri).Items
	fresh := pathToURI(filepath.Join(dir, "fresh_copy.py"))
	c.open(fresh, string(local))
	want := c.pullDiags(fresh).Items
	if len(got) != len(want) || len(got) < st.diags {
		tb.Fatalf("after the edits: %d diagnostics, %d for the same text opened afresh (%d at the start)", len(got), len(want), st.diags)
	}
	for i := range got {
		if got[i].Code != want[i].Code || got[i].Range != want[i].Range || got[i].Message != want[i].Message {
			tb.Fatalf("after the edits, diagnostic %d is %+v; opened afresh %+v", i, got[i], want[i])
		}
	}
	return st
}

// BenchmarkKeystrokes: one op is one edit on a 5,000-line file, typed as
// in VS Code, didChange to diagnostics.
func BenchmarkKeystrokes(b *testing.B) {
	st := replayKeystrokes(b, 5000, b.N, true)
	b.ReportMetric(float64(st.p50.Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(st.p99.Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(st.heapAfter)/(1<<20), "heap-MB")
}

// TestKeystrokeLatencyReport prints the latency of 1,000 edits on a
// generated 5,000-line PySpark file, typed as in VS Code and typed in an
// editor without auto-closing, with the memory before and after (no
// assertion on timings):
//
//	go test -run TestKeystrokeLatencyReport -v ./lsp
func TestKeystrokeLatencyReport(t *testing.T) {
	// The figures are for -v; a plain (or -short) run makes a few edits.
	edits := 1000
	if !testing.Verbose() || testing.Short() {
		edits = 30
	}
	for _, auto := range []bool{true, false} {
		how := "typed as in VS Code (auto-closed brackets and quotes)"
		name := "vscode"
		if !auto {
			how, name = "typed one character per edit (no auto-closing)", "plain"
		}
		t.Run(name, func(t *testing.T) {
			st := replayKeystrokes(t, 5000, edits, auto)
			t.Logf("%s: %d keystrokes, %d edits on a %d-line file (%d diagnostics; %d full reports, the rest unchanged): didChange -> diagnostics p50 %v, p99 %v, max %v",
				how, st.keys, st.edits, st.lines, st.diags, st.full, st.p50.Round(10*time.Microsecond), st.p99.Round(10*time.Microsecond), st.max.Round(10*time.Microsecond))
			t.Logf("memory: Go heap after GC %.1f MB with the file open, %.1f MB after the edits; RSS %.1f MB before the server started, %.1f MB with the file open, %.1f MB after 100 edits, %.1f MB after %d (peak %.1f MB)",
				mb(st.heapWarm), mb(st.heapAfter), mb(st.rssStart), mb(st.rssWarm), mb(st.rss100), mb(st.rssAfter), st.edits, mb(st.rssPeak))
		})
	}
}

func mb(n uint64) float64 { return float64(n) / (1 << 20) }
