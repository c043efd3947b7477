package checks

import (
	"strings"

	"github.com/sparklint/sparklint/checks/sparktype"
	"github.com/sparklint/sparklint/pyparse"
	"golang.org/x/tools/go/analysis"
)

// GroupByKey is SPK201.
var GroupByKey = register(&Rule{
	Code:    "SPK201",
	Name:    "group-by-key",
	Summary: "`groupByKey()` (or RDD `groupBy(f)`) ships every value across the network and holds each group in memory.",
	WhatItDoes: "Flags `groupByKey()` — and `groupBy(f)`, which PySpark implements as `map` plus `groupByKey` — on an RDD or DStream. " +
		"When the groups are then reduced with `mapValues(sum|len|max|min)` (or the equivalent lambda), the message names the exact replacement.",
	WhyBad: "`groupByKey` moves every value of every key through the shuffle and materialises each group as a Python list on one executor: " +
		"a skewed key runs that executor out of memory. `reduceByKey`, `aggregateByKey` and `combineByKey` combine values on the map side first, " +
		"so only one partial result per key and partition crosses the network.",
	Example: `from pyspark.sql import SparkSession

sc = SparkSession.builder.getOrCreate().sparkContext
pairs = sc.textFile("s3://logs/").map(lambda line: (line.split()[0], 1))
totals = pairs.groupByKey().mapValues(sum)`,
	UseInstead: `import operator

totals = pairs.reduceByKey(operator.add)`,
	FixSafety: "A safe fix is offered for the exact forms `groupByKey().mapValues(sum)` → `reduceByKey(operator.add)`, " +
		"`mapValues(len)` → `mapValues(lambda _: 1).reduceByKey(operator.add)`, `mapValues(max|min)` → `reduceByKey(max|min)` " +
		"(and `lambda vs: sum(vs)` & co.); the fix adds `import operator` when needed. The result is the same pair RDD. " +
		"`mapValues(list)` and other uses get a message but no fix.",
	KnownLimits: "`groupBy` is flagged only on receivers shown to be an RDD or DStream; `groupByKey` on an unknown receiver is flagged in files that import pyspark (or are Databricks notebooks).",
	Fix:         FixSometimes,
	Triggers:    []string{"groupByKey", "groupBy"},
	Analyzer: &analysis.Analyzer{
		Name:     "SPK201",
		Doc:      "flags groupByKey on RDDs and DStreams",
		Requires: []*analysis.Analyzer{pyparse.Analyzer, sparktype.Analyzer},
		Run:      runGroupByKey,
	},
})

func runGroupByKey(pass *analysis.Pass) (any, error) {
	m := unit(pass).Module
	ti := types(pass)
	for id := range m.Nodes {
		call := pyparse.NodeID(id)
		if m.Kind(call) != pyparse.KCall {
			continue
		}
		recv, method, ok := methodCall(m, call)
		if !ok || (method != "groupByKey" && method != "groupBy") {
			continue
		}
		rt := ti.TypeOf(recv)
		pairish := rt.Kind == sparktype.RDD || rt.Kind == sparktype.DStream
		if method == "groupBy" {
			if !pairish || sparktype.Arg(m, call, 0, "f") < 0 {
				continue
			}
		} else if !pairish && (rt.Kind != sparktype.Unknown || !ti.ImportsPySpark) {
			continue
		}
		groupByKeyFinding(pass, m, ti, call, method)
	}
	return nil, nil
}

func groupByKeyFinding(pass *analysis.Pass, m *pyparse.Module, ti *sparktype.Info, call pyparse.NodeID, method string) {
	s := callSpan(m, call)
	what := "`groupByKey()`"
	if method == "groupBy" {
		what = "`groupBy(f)` on an RDD (a `map` plus `groupByKey`)"
	}
	base := what + " shuffles every value and holds each group in executor memory"
	// .groupByKey().mapValues(f)
	mv, f := followingMapValues(m, call)
	if mv < 0 {
		report(pass, s, base+"; combine values per key with `reduceByKey`, `aggregateByKey` or `combineByKey` instead")
		return
	}
	red := sparktype.ReducesGroup(m, f)
	if red == "" {
		if m.TextIs(m.Unparen(f), "list") {
			report(pass, s, base+"; `.mapValues(list)` still brings every value of a key together: if the lists are reduced later, reduce with `reduceByKey`/`aggregateByKey` instead")
		} else {
			report(pass, s, base+"; combine values per key with `reduceByKey`, `aggregateByKey` or `combineByKey` instead")
		}
		return
	}
	op, importEdit := operatorAdd(m, m.N(call).Start)
	var repl, msg string
	switch red {
	case "sum":
		repl = "reduceByKey(" + op + ")"
		msg = "use `reduceByKey(operator.add)`"
	case "len":
		repl = "mapValues(lambda _: 1).reduceByKey(" + op + ")"
		msg = "use `countByKey()` (a dict on the driver) or `mapValues(lambda _: 1).reduceByKey(operator.add)`"
		if rt := ti.TypeOf(m.Child(m.Child(call, pyparse.FFunction), pyparse.FObject)); rt.Kind == sparktype.DStream {
			msg = "use `mapValues(lambda _: 1).reduceByKey(operator.add)`" // DStreams have no countByKey
		}
	case "max", "min":
		repl = "reduceByKey(" + red + ")"
		msg = "use `reduceByKey(" + red + ")`"
	}
	if method == "groupBy" {
		// groupBy(f) groups the elements themselves by f(x): key them first.
		msg = strings.ReplaceAll(strings.ReplaceAll(msg, "`reduceByKey", "`keyBy(f).reduceByKey"), "`mapValues", "`keyBy(f).mapValues")
		msg = strings.ReplaceAll(msg, "`countByKey()`", "`keyBy(f).countByKey()`")
	}
	d := analysis.Diagnostic{Pos: s.pos(), End: s.endPos(), Message: base + " only to reduce it with `" + red + "`: " + msg}
	// The fix keeps nothing of groupByKey's arguments or of comments
	// inside the chain: offered only for the bare form.
	bare := len(m.NamedChildren(m.Child(call, pyparse.FArguments))) == 0 && !hasComment(m, s.start, m.N(mv).End)
	if method == "groupByKey" && bare {
		edits := []analysis.TextEdit{{Pos: s.pos(), End: m.Pos(m.N(mv).End), NewText: []byte(repl)}}
		if importEdit != nil && red != "max" && red != "min" {
			edits = append([]analysis.TextEdit{*importEdit}, edits...)
		}
		d.SuggestedFixes = []analysis.SuggestedFix{{Message: "Replace with `" + strings.ReplaceAll(repl, op, "operator.add") + "`", TextEdits: edits}}
	}
	pass.Report(d)
}

// startsCell reports whether 0-based line starts a notebook cell.
func startsCell(m *pyparse.Module, line int) bool {
	for _, c := range m.Cells {
		if c.Line == line {
			return true
		}
	}
	return false
}

// followingMapValues returns the `.mapValues(f)` call applied directly to
// call's result, and f.
func followingMapValues(m *pyparse.Module, call pyparse.NodeID) (pyparse.NodeID, pyparse.NodeID) {
	attr := m.Parent(call)
	if m.Kind(attr) != pyparse.KAttribute || m.N(call).Field != pyparse.FObject || !m.TextIs(m.Child(attr, pyparse.FAttribute), "mapValues") {
		return pyparse.NoNode, pyparse.NoNode
	}
	mv := m.Parent(attr)
	if m.Kind(mv) != pyparse.KCall {
		return pyparse.NoNode, pyparse.NoNode
	}
	pos, kw := sparktype.Args(m, mv)
	if len(pos) != 1 || len(kw) != 0 {
		return pyparse.NoNode, pyparse.NoNode
	}
	return mv, pos[0]
}

// operatorAdd returns how the file can spell operator.add at offset use,
// and the edit that imports operator when it cannot yet. The import goes
// at the end of the file's leading import block (after the docstring and
// __future__ imports), or before its first statement: always above use.
func operatorAdd(m *pyparse.Module, use uint32) (string, *analysis.TextEdit) {
	for _, bd := range m.Scopes.Imports {
		if bd.Scope != m.Scopes.Module || m.N(bd.Stmt).End > use {
			continue
		}
		if bd.Import.Level == 0 && bd.Import.Module == "operator" {
			if bd.Import.Name == "" && bd.Name == "operator" {
				return "operator.add", nil
			}
			if bd.Import.Name == "add" {
				return bd.Name, nil
			}
		}
	}
	var lastImport, first pyparse.NodeID = pyparse.NoNode, pyparse.NoNode
	// The statements are walked as siblings: the loop stops at the first
	// that is not an import, and a module can have thousands.
	for st, i := m.N(m.Root()).FirstChild, 0; st != pyparse.NoNode; st, i = m.N(st).NextSibling, i+1 {
		if !m.N(st).Named || m.Kind(st) == pyparse.KComment {
			i--
			continue
		}
		k := m.Kind(st)
		if i == 0 && k == pyparse.KExpressionStatement && m.Kind(m.FirstNamed(st)) == pyparse.KString {
			continue // docstring
		}
		if k == pyparse.KFutureImportStatement {
			lastImport = st
			continue
		}
		if k == pyparse.KImportStatement || k == pyparse.KImportFromStatement {
			if first < 0 || lastImport >= 0 {
				lastImport, first = st, st
				continue
			}
		}
		if first < 0 {
			first = st
		}
		break
	}
	if lastImport >= 0 && m.N(lastImport).End <= use {
		line := m.Line(m.N(lastImport).End)
		if startsCell(m, line+1) {
			// In a notebook whose imports end a cell, the import goes at
			// the end of that cell, not at the top of the next one.
			at := uint32(m.LineStart(line+1) - 1)
			return "operator.add", &analysis.TextEdit{Pos: m.Pos(at), End: m.Pos(at), NewText: []byte("\nimport operator")}
		}
		if line+1 < m.LineCount() {
			at := uint32(m.LineStart(line + 1))
			return "operator.add", &analysis.TextEdit{Pos: m.Pos(at), End: m.Pos(at), NewText: []byte("import operator\n")}
		}
		at := uint32(len(m.Src))
		return "operator.add", &analysis.TextEdit{Pos: m.Pos(at), End: m.Pos(at), NewText: []byte("\nimport operator\n")}
	}
	at := uint32(0)
	if first >= 0 {
		at = uint32(m.LineStart(m.Line(m.N(first).Start)))
	}
	return "operator.add", &analysis.TextEdit{Pos: m.Pos(at), End: m.Pos(at), NewText: []byte("import operator\n")}
}

// hasComment reports whether a comment lies in the byte range [start, end).
func hasComment(m *pyparse.Module, start, end uint32) bool {
	for _, c := range m.Comments {
		if n := m.N(c); n.Start >= start && n.Start < end {
			return true
		}
	}
	return false
}
