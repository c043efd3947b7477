package checks

import (
	"fmt"

	"github.com/sparklint/sparklint/checks/sparktype"
	"github.com/sparklint/sparklint/pyparse"
	"golang.org/x/tools/go/analysis"
)

// StreamingStateWithoutWatermark is SPK501.
var StreamingStateWithoutWatermark = register(&Rule{
	Code:    "SPK501",
	Name:    "streaming-state-without-watermark",
	Summary: "A stateful operation on a streaming DataFrame with no watermark keeps its state forever.",
	WhatItDoes: "Flags, on a streaming DataFrame (lineage reaching `spark.readStream`) with no used `withWatermark` upstream: " +
		"an aggregation grouped by an event-time `window`/`session_window`; `dropDuplicates`/`distinct`; a stream-stream join; " +
		"and a key-only aggregation whose query in the same file runs in append mode (the default), which Spark refuses to start.",
	WhyBad: "Without a watermark Spark cannot tell when a window, a key or a join buffer is complete, so it keeps every one in the state store: " +
		"state and checkpoint grow with every micro-batch until executors run out of memory or batches slow to a crawl. " +
		"In append mode an aggregation without a watermark never emits a row, so Spark rejects the query at start.",
	Example: `events = spark.readStream.format("kafka").option("subscribe", "clicks").load()
counts = events.groupBy(F.window("timestamp", "10 minutes")).count()`,
	UseInstead: `counts = (events
    .withWatermark("timestamp", "30 minutes")
    .groupBy(F.window("timestamp", "10 minutes"))
    .count())`,
	FixSafety:   "No fix: the watermark delay is a business decision.",
	KnownLimits: "`withWatermark` counts only when its result is used. Key-only aggregations are flagged only when the query that writes them is started in the same expression chain of the same file.",
	Fix:         FixNone,
	Triggers:    []string{"readStream"},
	Analyzer: &analysis.Analyzer{
		Name:     "SPK501",
		Doc:      "flags stateful streaming operations without a watermark",
		Requires: []*analysis.Analyzer{pyparse.Analyzer, sparktype.Analyzer},
		Run:      runWatermark,
	},
})

func runWatermark(pass *analysis.Pass) (any, error) {
	m := unit(pass).Module
	ti := types(pass)
	keyOnly := map[pyparse.NodeID]bool{}
	reported := map[pyparse.NodeID]bool{}
	for id := range m.Nodes {
		call := pyparse.NodeID(id)
		if m.Kind(call) != pyparse.KCall {
			continue
		}
		recv, method, ok := methodCall(m, call)
		if !ok {
			continue
		}
		switch method {
		case "groupBy", "groupby", "dropDuplicates", "drop_duplicates", "distinct", "join":
		default:
			continue
		}
		rt := ti.TypeOf(recv)
		if rt.Kind != sparktype.DataFrame || rt.Lin == nil || !rt.Lin.Streaming || rt.Lin.Watermarked {
			continue
		}
		src := related(locSpan(rt.Lin.StreamSource), "the stream is read here")
		switch method {
		case "groupBy", "groupby":
			gt := ti.TypeOf(call)
			if gt.Lin != nil && gt.Lin.Windowed {
				report(pass, callSpan(m, call), "streaming aggregation over an event-time window with no `withWatermark` upstream: Spark keeps every window in state forever; add `withWatermark(eventTime, delay)` before `groupBy`", src)
			} else {
				keyOnly[call] = true
			}
		case "dropDuplicates", "drop_duplicates", "distinct":
			report(pass, callSpan(m, call), fmt.Sprintf("`%s()` on a stream with no `withWatermark` upstream keeps every key ever seen in state; use `withWatermark` + `dropDuplicatesWithinWatermark`", method), src)
		case "join":
			other := ti.TypeOf(sparktype.Arg(m, call, 0, "other"))
			if other.Kind == sparktype.DataFrame && other.Lin != nil && other.Lin.Streaming && !other.Lin.Watermarked {
				report(pass, callSpan(m, call), "stream-stream join with no `withWatermark` on either side: Spark buffers both streams in state forever; add watermarks and an event-time range condition", src)
			}
		}
	}
	if len(keyOnly) == 0 {
		return nil, nil
	}
	// Key-only aggregations fail in append mode: find the queries that write them.
	for id := range m.Nodes {
		attr := pyparse.NodeID(id)
		if m.Kind(attr) != pyparse.KAttribute || !m.TextIs(m.Child(attr, pyparse.FAttribute), "writeStream") {
			continue
		}
		dt := ti.TypeOf(m.Child(attr, pyparse.FObject))
		if dt.Lin == nil || !dt.Lin.Agg.Valid() || dt.Lin.Agg.M != m || !keyOnly[dt.Lin.Agg.N] || dt.Lin.Watermarked || reported[dt.Lin.Agg.N] {
			continue
		}
		mode, started := writerMode(m, attr)
		if !started || (mode != "" && mode != "append") {
			continue
		}
		reported[dt.Lin.Agg.N] = true
		report(pass, callSpan(m, dt.Lin.Agg.N), "streaming aggregation with no `withWatermark` written in append mode: Spark refuses to start the query; add a watermark or use outputMode(\"update\"/\"complete\")",
			related(locSpan(dt.Lin.StreamSource), "the stream is read here"),
			related(nodeSpan(m, attr), "the query is written here"))
	}
	return nil, nil
}

// writerMode follows the chain above a writeStream attribute: the literal
// outputMode it sets ("" when none, "?" when not a literal) and whether the
// chain starts the query.
func writerMode(m *pyparse.Module, attr pyparse.NodeID) (mode string, started bool) {
	n := attr
	for {
		p := m.Parent(n)
		switch {
		case m.Kind(p) == pyparse.KAttribute && m.N(n).Field == pyparse.FObject:
			n = p
		case m.Kind(p) == pyparse.KCall && m.N(n).Field == pyparse.FFunction:
			name := m.Text(m.Child(n, pyparse.FAttribute))
			switch name {
			case "outputMode":
				arg := m.Unparen(sparktype.Arg(m, p, 0, "outputMode"))
				if m.Kind(arg) == pyparse.KString {
					mode = sparktype.StringValue(m, arg)
				} else {
					mode = "?"
				}
			case "start", "toTable":
				started = true
				// start(outputMode="complete") sets the mode too.
				if arg := m.Unparen(sparktype.Arg(m, p, -1, "outputMode")); arg >= 0 {
					if m.Kind(arg) == pyparse.KString {
						mode = sparktype.StringValue(m, arg)
					} else {
						mode = "?"
					}
				}
			}
			n = p
		default:
			return mode, started
		}
	}
}
