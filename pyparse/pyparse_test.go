package pyparse

import (
	"bytes"
	"errors"
	"fmt"
	"go/token"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func parse(t *testing.T, src string) *Module {
	t.Helper()
	m, err := Parse(token.NewFileSet(), "x.py", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func find(m *Module, kind Kind, text string) NodeID {
	for i := range m.Nodes {
		if m.Nodes[i].Kind == kind && m.Text(NodeID(i)) == text {
			return NodeID(i)
		}
	}
	return NoNode
}

func TestTreeLinks(t *testing.T) {
	m := parse(t, "x = foo(1, y=2)\n")
	call := find(m, KCall, "foo(1, y=2)")
	if call == NoNode {
		t.Fatal("call not found")
	}
	if got := m.Text(m.Child(call, FFunction)); got != "foo" {
		t.Errorf("function = %q", got)
	}
	args := m.NamedChildren(m.Child(call, FArguments))
	if len(args) != 2 || m.Kind(args[1]) != KKeywordArgument {
		t.Fatalf("arguments = %v", args)
	}
	if !m.Contains(call, args[1]) || m.Contains(args[1], call) {
		t.Error("Contains is wrong")
	}
	if m.End(m.Root()) != NodeID(len(m.Nodes)) {
		t.Error("root subtree must span all nodes")
	}
}

func TestPositionsCountCharactersAndUTF16(t *testing.T) {
	m := parse(t, "s = 'é😀'; y = 1\n")
	y := find(m, KIdentifier, "y")
	row, col := m.RowCol(m.N(y).Start)
	if row != 1 || col != 11 {
		t.Errorf("RowCol = %d:%d, want 1:11 (characters, not bytes)", row, col)
	}
	_, c16 := m.RowColUTF16(m.N(y).Start)
	if c16 != 11 {
		t.Errorf("UTF-16 column = %d, want 11 (the emoji counts two)", c16)
	}
}

func TestSyntaxErrorKeepsRestOfFile(t *testing.T) {
	m := parse(t, "def f(:\n    pass\n\nimport pyspark\nx = 1\n")
	if m.SyntaxError == NoNode {
		t.Fatal("syntax error not detected")
	}
	if len(m.Scopes.Module.Bindings["x"]) == 0 {
		t.Error("the rest of the file must still be analysed")
	}
}

func TestDeepNestingIsRefusedNotCrashed(t *testing.T) {
	src := "x = " + strings.Repeat("(", 10000) + "1" + strings.Repeat(")", 10000) + "\n"
	m, err := Parse(token.NewFileSet(), "deep.py", []byte(src))
	var de *DepthError
	if !errors.As(err, &de) {
		t.Fatalf("err = %v, want a DepthError", err)
	}
	if m == nil || m.Scopes != nil {
		t.Error("a too-deep module is returned unanalysed")
	}
}

func TestEmptyFile(t *testing.T) {
	m := parse(t, "")
	if m.SyntaxError != NoNode || m.Scopes == nil {
		t.Error("an empty file is a valid module")
	}
}

func TestNoqa(t *testing.T) {
	m := parse(t, strings.Join([]string{
		"a = 1  # noqa",
		"b = 2  # noqa: SPK101, SPK201",
		"c = 3  # noqa: E501",
		"d = 4  # type: ignore # noqa:SPK301",
		"e = 5  # not a noqa",
	}, "\n")+"\n")
	cases := []struct {
		code string
		line int
		want bool
	}{
		{"SPK101", 0, true}, {"SPK999", 0, true},
		{"SPK101", 1, true}, {"SPK201", 1, true}, {"SPK301", 1, false},
		{"SPK101", 2, false}, // another tool's code suppresses nothing of ours
		{"SPK301", 3, true}, {"SPK101", 3, false},
		{"SPK101", 4, false},
	}
	for _, c := range cases {
		if got := m.Noqa.Suppresses(c.code, c.line); got != c.want {
			t.Errorf("line %d %s: suppressed = %v, want %v", c.line+1, c.code, got, c.want)
		}
	}
	f := parse(t, "# sparklint: noqa\nx = 1\n")
	if !f.Noqa.Suppresses("SPK101", 1) {
		t.Error("file-level noqa must suppress everything")
	}
	g := parse(t, "# sparklint: noqa: SPK301\nx = 1\n")
	if !g.Noqa.Suppresses("SPK301", 1) || g.Noqa.Suppresses("SPK101", 1) {
		t.Error("file-level noqa with codes suppresses only those")
	}
}

func TestDatabricksNotebook(t *testing.T) {
	m := parse(t, "# Databricks notebook source\ndf = spark.table('x')\n# COMMAND ----------\n# MAGIC %sql select 1\n")
	if !m.Notebook {
		t.Error("notebook not detected")
	}
	if parse(t, "x = 1\n# Databricks notebook source\n").Notebook {
		t.Error("the header must be the first line")
	}
}

func TestScopesAndImports(t *testing.T) {
	m := parse(t, `import pyspark.sql.functions as F
from pyspark.sql import SparkSession as SS
from . import helpers
from ..jobs.util import clean

x = 1
def f(a, b=x, *args, c: int = 2, **kw):
    global x
    x = a
    y = [i for i in args]
    return lambda z, t=y: z + t
`)
	s := m.Scopes
	imp := func(name string) string {
		bs := s.Module.Bindings[name]
		if len(bs) == 0 || bs[0].Import == nil {
			return ""
		}
		return bs[0].Import.Qualified()
	}
	for name, want := range map[string]string{"F": "pyspark.sql.functions", "SS": "pyspark.sql.SparkSession", "helpers": ".helpers", "clean": "..jobs.util.clean"} {
		if got := imp(name); got != want {
			t.Errorf("import %s = %q, want %q", name, got, want)
		}
	}
	if n := len(s.Module.Bindings["x"]); n != 2 {
		t.Errorf("x has %d module bindings, want 2 (the global assignment lands in the module)", n)
	}
	var fs *Scope
	for _, sc := range s.All {
		if sc.Kind == FunctionScope {
			fs = sc
		}
	}
	for _, p := range []string{"a", "b", "args", "c", "kw", "y"} {
		if len(fs.Bindings[p]) == 0 {
			t.Errorf("%s not bound in f", p)
		}
	}
	// The default t=y is evaluated in f's scope, not the lambda's.
	yUse := NoNode
	for i := range m.Nodes {
		if m.Nodes[i].Kind == KIdentifier && m.Text(NodeID(i)) == "y" && m.Kind(m.Parent(NodeID(i))) == KDefaultParameter {
			yUse = NodeID(i)
		}
	}
	if sc, _ := s.Lookup(yUse, "y"); sc != fs {
		t.Error("lambda default must resolve in the enclosing function")
	}
}

func TestReachingBinding(t *testing.T) {
	m := parse(t, "df = 1\ndf = df + 1\nprint(df)\n")
	var uses []NodeID
	for i := range m.Nodes {
		if m.Nodes[i].Kind == KIdentifier && m.Text(NodeID(i)) == "df" {
			uses = append(uses, NodeID(i))
		}
	}
	// uses: df(1st target), df(2nd target), df(read in 2nd), df(print)
	bs := m.Scopes.Module.Bindings["df"]
	if got := m.Scopes.Reaching(m, uses[2], "df"); got != bs[0] {
		t.Error("df + 1 must read the first df")
	}
	if got := m.Scopes.Reaching(m, uses[3], "df"); got != bs[1] {
		t.Error("print(df) must read the second df")
	}
}

func TestNoneGuard(t *testing.T) {
	m := parse(t, "_c = None\ndef get():\n    global _c\n    if _c is None:\n        _c = make()\n    return _c\n")
	bs := m.Scopes.Module.Bindings["_c"]
	if len(bs) != 2 || bs[0].Guarded || !bs[1].Guarded {
		t.Errorf("guarded = %v/%v, want false/true", bs[0].Guarded, bs[1].Guarded)
	}
}

func TestJupyterNotebook(t *testing.T) {
	nb := `{"cells": [
 {"cell_type": "markdown", "source": ["# Title\n"]},
 {"cell_type": "code", "source": ["%pip install x\n", "df = spark.table('t')\n"]},
 {"cell_type": "code", "source": "%%sql\nselect 1"},
 {"cell_type": "code", "source": ["rows = df.collect()"]}
], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`
	m, err := Parse(token.NewFileSet(), "nb.ipynb", []byte(nb))
	if err != nil {
		t.Fatal(err)
	}
	if !m.Notebook || len(m.Cells) != 3 || m.SyntaxError != NoNode {
		t.Fatalf("notebook=%v cells=%v syntax error=%v\n%s", m.Notebook, m.Cells, m.SyntaxError, m.Src)
	}
	collect := find(m, KIdentifier, "rows")
	row, _ := m.RowCol(m.N(collect).Start)
	if cell, r := m.CellOf(row); cell != 4 || r != 1 {
		t.Errorf("rows is in cell %d row %d, want cell 4 row 1", cell, r)
	}
	if cell, r := m.CellOf(2); cell != 2 || r != 2 {
		t.Errorf("row 2 maps to cell %d row %d, want cell 2 row 2", cell, r)
	}
	if _, err := Parse(token.NewFileSet(), "bad.ipynb", []byte("{not json")); err == nil || !strings.Contains(err.Error(), "not a valid Jupyter notebook") {
		t.Errorf("err = %v", err)
	}
}

func TestKeywordTokensAreNotNodes(t *testing.T) {
	m := parse(t, "f = lambda x: x\nasync def g():\n    await h()\n    yield 1\n")
	counts := map[Kind]int{}
	for i := range m.Nodes {
		counts[m.Nodes[i].Kind]++
	}
	for _, k := range []Kind{KLambda, KAwait, KYield} {
		if counts[k] != 1 {
			t.Errorf("%v: %d nodes, want 1 (the keyword token is another kind)", k, counts[k])
		}
	}
}

func TestLazyInitGuards(t *testing.T) {
	srcs := []string{
		"_c = None\ndef get():\n    global _c\n    if not _c:\n        _c = make()\n    return _c\n",
		"_c = None\ndef get():\n    global _c\n    if _c is not None:\n        return _c\n    _c = make()\n    return _c\n",
		"_c = None\ndef get():\n    global _c\n    if _c:\n        return _c\n    _c = make()\n    return _c\n",
	}
	for _, src := range srcs {
		m := parse(t, src)
		bs := m.Scopes.Module.Bindings["_c"]
		if len(bs) != 2 || bs[0].Guarded || !bs[1].Guarded {
			t.Errorf("%q: guarded = %v/%v, want false/true", src, bs[0].Guarded, bs[len(bs)-1].Guarded)
		}
	}
	m := parse(t, "_c = None\ndef get():\n    global _c\n    if _c is not None:\n        print(_c)\n    _c = make()\n")
	if bs := m.Scopes.Module.Bindings["_c"]; bs[1].Guarded {
		t.Error("without a return in the test's body the assignment is not guarded")
	}
}

func TestByteOrderMarkIsNotAColumn(t *testing.T) {
	m := parse(t, "\xef\xbb\xbfx = 1\n")
	x := find(m, KIdentifier, "x")
	if row, col := m.RowCol(m.N(x).Start); row != 1 || col != 1 {
		t.Errorf("x at %d:%d, want 1:1", row, col)
	}
}

func TestLongChainsAreAnalysed(t *testing.T) {
	src := "import pyspark\ndf = spark" + strings.Repeat(".withColumn('a', 1)", 1000) + "\n"
	if _, err := Parse(token.NewFileSet(), "chain.py", []byte(src)); err != nil {
		t.Fatalf("a 1,000-call chain (CPython compiles it) must be analysed: %v", err)
	}
}

func TestIncrementalParseMatchesAFullParse(t *testing.T) {
	old := []byte("import pyspark\nx = foo(1)\ny = 2\n")
	_, tree, err := ParseIncremental(token.NewFileSet(), "a.py", old, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	// Replace "1" (byte 23, row 1 col 8) by "bar, 22".
	src := []byte("import pyspark\nx = foo(bar, 22)\ny = 2\n")
	tree.Edit(InputEdit{StartByte: 23, OldEndByte: 24, NewEndByte: 30, StartRow: 1, StartCol: 8, OldEndRow: 1, OldEndCol: 9, NewEndRow: 1, NewEndCol: 15})
	m, next, err := ParseIncremental(token.NewFileSet(), "a.py", src, tree)
	if err != nil {
		t.Fatal(err)
	}
	defer next.Close()
	full := parse(t, string(src))
	if len(m.Nodes) != len(full.Nodes) {
		t.Fatalf("incremental parse has %d nodes, full parse %d", len(m.Nodes), len(full.Nodes))
	}
	for i := range m.Nodes {
		if m.Nodes[i] != full.Nodes[i] {
			t.Fatalf("node %d differs: %+v vs %+v", i, m.Nodes[i], full.Nodes[i])
		}
	}
}

// TestIncrementalFlatteningReusesOnlyUnchangedStatements types, deletes
// and pastes at random places of a module (undoing every other edit, as
// an editor's undo does, so that the module stays mostly valid) and
// checks, after each edit, that the flattening which copies unchanged
// top-level statements from the previous parse equals a full walk of the
// same tree.
func TestIncrementalFlatteningReusesOnlyUnchangedStatements(t *testing.T) {
	var b strings.Builder
	b.WriteString("import pyspark\nfrom pyspark.sql import functions as F\n# a comment\n")
	for i := range 40 {
		fmt.Fprintf(&b, "\n\ndef f%d(x):\n    y = x.map(lambda r: (r, %d))  # é 😀\n    return y.collect()\n\nclass C%d:\n    a = 'text %d'\n    def m(self):\n        return [v for v in self.a]\n", i, i, i, i)
	}
	src := []byte(b.String())
	_, tree, err := ParseIncremental(nil, "a.py", src, nil)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"x", "\n", "    ", "(", ")", ":", "'", "\"\"\"", "def g():\n    pass\n", "#", "\\", "é", "😀", "[", "lambda", " = ", "\n\n"}
	reused := 0
	var start, end int
	var ins, deleted string
	for step := range 400 {
		if step%2 == 0 {
			start = rng.IntN(len(src) + 1)
			end = start
			if rng.IntN(3) == 0 {
				end = min(len(src), start+rng.IntN(40))
			}
			ins = ""
			if rng.IntN(4) != 0 {
				ins = pieces[rng.IntN(len(pieces))]
			}
			deleted = string(src[start:end])
		} else { // undo
			end, ins = start+len(ins), deleted
		}
		next := append(append(append([]byte{}, src[:start]...), ins...), src[end:]...)
		tree.Edit(editOf(src, start, end, ins))
		m, nt, err := ParseIncremental(nil, "a.py", next, tree)
		if err != nil {
			t.Fatalf("step %d: %v", step, err)
		}
		full, err := nt.flattenAll()
		if err != nil {
			t.Fatal(err)
		}
		want, err := build(nil, "a.py", next, full, nil)
		if err != nil {
			t.Fatal(err)
		}
		sameModule(t, fmt.Sprintf("step %d", step), m, want)
		if len(full) != len(m.Nodes) {
			t.Fatalf("step %d: %d nodes with reuse, %d by a full walk", step, len(m.Nodes), len(full))
		}
		for i, r := range full {
			n := m.Nodes[i]
			if n.Start != r.start || n.End != r.end || n.Parent != NodeID(r.parent) || n.Field != Field(r.field) || n.Missing != (r.flags&2 != 0) {
				t.Fatalf("step %d: node %d differs: %+v, full walk %+v", step, i, n, r)
			}
		}
		if nt.reused > len(full)/2 {
			reused++
		}
		tree.Close()
		tree, src = nt, next
	}
	tree.Close()
	if reused < 250 {
		t.Fatalf("only %d of 400 parses copied most records from the previous one", reused)
	}
}

// sameModule fails unless got and want have the same nodes (every field),
// depth, first syntax error and comments.
func sameModule(t *testing.T, what string, got, want *Module) {
	t.Helper()
	if !slices.Equal(got.Nodes, want.Nodes) {
		for i := range min(len(got.Nodes), len(want.Nodes)) {
			if got.Nodes[i] != want.Nodes[i] {
				t.Fatalf("%s: node %d is %+v, want %+v", what, i, got.Nodes[i], want.Nodes[i])
			}
		}
		t.Fatalf("%s: %d nodes, want %d", what, len(got.Nodes), len(want.Nodes))
	}
	if got.Depth != want.Depth || got.SyntaxError != want.SyntaxError || !slices.Equal(got.Comments, want.Comments) {
		t.Fatalf("%s: depth %d, syntax error %d, comments %v; want %d, %d, %v", what, got.Depth, got.SyntaxError, got.Comments, want.Depth, want.SyntaxError, want.Comments)
	}
}

// editOf describes replacing src[start:end] by ins as a tree-sitter edit.
func editOf(src []byte, start, end int, ins string) InputEdit {
	point := func(b []byte, off int) (uint32, uint32) {
		row := bytes.Count(b[:off], []byte{'\n'})
		col := off - (bytes.LastIndexByte(b[:off], '\n') + 1)
		return uint32(row), uint32(col)
	}
	next := append(append(append([]byte{}, src[:start]...), ins...), src[end:]...)
	sr, sc := point(src, start)
	or, oc := point(src, end)
	nr, nc := point(next, start+len(ins))
	return InputEdit{StartByte: uint32(start), OldEndByte: uint32(end), NewEndByte: uint32(start + len(ins)),
		StartRow: sr, StartCol: sc, OldEndRow: or, OldEndCol: oc, NewEndRow: nr, NewEndCol: nc}
}
