package pyparse

import (
	"fmt"
	"go/token"
	"math/rand/v2"
	"strings"
	"testing"
)

// incDoc is a document parsed incrementally, as the language server does.
type incDoc struct {
	t    *testing.T
	src  []byte
	tree *Tree
	// reused counts the records copied from previous parses.
	reused int
}

func newIncDoc(t *testing.T, src string) *incDoc {
	t.Helper()
	_, tree, err := ParseIncremental(token.NewFileSet(), "a.py", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	d := &incDoc{t: t, src: []byte(src), tree: tree}
	t.Cleanup(func() { d.tree.Close() })
	return d
}

type textEdit struct {
	start, end int
	ins        string
}

// apply tells the tree of every edit (in order, each relative to the text
// the previous ones made, as one didChange with several changes), parses
// once, and checks the module against a full walk of the same tree and,
// when the text parses without error, against a fresh parse.
func (d *incDoc) apply(what string, edits ...textEdit) *Module {
	d.t.Helper()
	for _, e := range edits {
		d.tree.Edit(editOf(d.src, e.start, e.end, e.ins))
		d.src = append(append(append([]byte{}, d.src[:e.start]...), e.ins...), d.src[e.end:]...)
	}
	m, nt, err := ParseIncremental(token.NewFileSet(), "a.py", d.src, d.tree)
	if err != nil {
		d.t.Fatalf("%s: %v", what, err)
	}
	d.tree.Close()
	d.tree = nt
	d.reused += nt.reused
	full, err := nt.flattenAll()
	if err != nil {
		d.t.Fatal(err)
	}
	if len(full) != len(m.Nodes) {
		d.t.Fatalf("%s: %d nodes with reuse, %d by a full walk of the same tree", what, len(m.Nodes), len(full))
	}
	for i, r := range full {
		n := m.Nodes[i]
		k := KError
		if r.sym != 0xFFFF && int(r.sym) < len(canonical) {
			k = canonical[r.sym]
		}
		if n.Kind != k || n.Start != r.start || n.End != r.end || n.Parent != NodeID(r.parent) || n.Field != Field(r.field) || n.Missing != (r.flags&2 != 0) {
			d.t.Fatalf("%s: node %d differs: %+v, full walk %+v", what, i, n, r)
		}
	}
	want, err := build(nil, "a.py", d.src, full, nil)
	if err != nil {
		d.t.Fatal(err)
	}
	sameModule(d.t, what, m, want)
	fresh, err := Parse(token.NewFileSet(), "a.py", d.src)
	if err != nil {
		d.t.Fatal(err)
	}
	if fresh.SyntaxError == NoNode {
		if len(fresh.Nodes) != len(m.Nodes) {
			d.t.Fatalf("%s: %d nodes incrementally, %d by a fresh parse of %q", what, len(m.Nodes), len(fresh.Nodes), d.src)
		}
		for i := range fresh.Nodes {
			if fresh.Nodes[i] != m.Nodes[i] {
				d.t.Fatalf("%s: node %d differs from a fresh parse: %+v vs %+v\n%q", what, i, m.Nodes[i], fresh.Nodes[i], d.src)
			}
		}
	}
	return m
}

func (d *incDoc) replace(what, old, repl string) *Module {
	d.t.Helper()
	i := strings.Index(string(d.src), old)
	if i < 0 {
		d.t.Fatalf("%s: %q not in %q", what, old, d.src)
	}
	return d.apply(what, textEdit{i, i + len(old), repl})
}

// TestIncrementalMergeSplitEnds: edits that merge and split
// top-level statements, at the very start and end, shrinking to empty and
// growing back, with CRLF line ends and a BOM.
func TestIncrementalMergeSplitEnds(t *testing.T) {
	for _, variant := range []struct{ name, bom, nl string }{{"lf", "", "\n"}, {"crlf", "", "\r\n"}, {"bom", "\xef\xbb\xbf", "\n"}, {"bom-crlf", "\xef\xbb\xbf", "\r\n"}} {
		t.Run(variant.name, func(t *testing.T) {
			nl := variant.nl
			lines := []string{"import pyspark", "x = f(1)", "y = [1,", "     2]", "def g(a):", "    return a", "z = x", "# " + strings.Repeat("long comment ", 30)}
			src := variant.bom + strings.Join(lines, nl) + nl
			d := newIncDoc(t, src)
			d.replace("split a statement", "x = f(1)", "x = f(1)"+nl+"w = 2")
			d.replace("merge statements", "w = 2"+nl+"y", "w = 2; y")
			d.replace("split again", "w = 2; y", "w = 2"+nl+"y")
			d.replace("join lines with a bracket", "f(1)"+nl+"w = 2", "f(1,"+nl+"2)")
			d.replace("undo the join", "f(1,"+nl+"2)", "f(1)"+nl+"w = 2")
			start := len(variant.bom)
			d.apply("insert at the start", textEdit{start, start, "a = 0" + nl})
			d.apply("delete at the start", textEdit{start, start + len("a = 0"+nl), ""})
			d.apply("append at the end", textEdit{len(d.src), len(d.src), "tail = 1" + nl})
			d.apply("append without newline", textEdit{len(d.src), len(d.src), "q = 3"})
			d.apply("delete the last char", textEdit{len(d.src) - 1, len(d.src), ""})
			d.replace("indent a statement into the def", nl+"z = x", nl+"    z = x")
			d.replace("dedent it again", nl+"    z = x", nl+"z = x")
			d.replace("blank lines before a statement", nl+"z = x", strings.Repeat(nl, 20)+"z = x")
			d.replace("blank lines removed", strings.Repeat(nl, 20)+"z = x", nl+"z = x")
			whole := string(d.src)
			d.apply("empty", textEdit{0, len(d.src), ""})
			d.apply("grow back", textEdit{0, 0, whole})
			d.apply("empty in one batch with growth", textEdit{0, len(d.src), ""}, textEdit{0, 0, "p = 1" + nl}, textEdit{0, 0, whole})
			// Several edits in one notification, at both ends and in the middle.
			d.apply("batched", textEdit{len(d.src), len(d.src), "e = 1" + nl}, textEdit{start, start, "b = 1" + nl}, textEdit{start + 4, start + 5, "22"})
			if d.reused == 0 {
				t.Fatal("no record was ever copied from a previous parse: the reuse is not exercised")
			}
		})
	}
}

// TestIncrementalDuplicateStatements: identical statements (which
// tree-sitter may share) moved around, deleted and duplicated.
func TestIncrementalDuplicateStatements(t *testing.T) {
	var b strings.Builder
	for i := range 30 {
		fmt.Fprintf(&b, "x = spark.read.csv('p')\n# %s\n\n", strings.Repeat("c", 300))
		if i%5 == 0 {
			b.WriteString("def f():\n    return 1\n")
		}
	}
	d := newIncDoc(t, b.String())
	rng := rand.New(rand.NewPCG(3, 4))
	stmts := []string{"x = spark.read.csv('p')\n", "def f():\n    return 1\n", "# " + strings.Repeat("c", 300) + "\n", "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n", "pass\n"}
	for step := range 300 {
		lines := strings.SplitAfter(string(d.src), "\n")
		// Cut or paste whole lines: top-level statements move as units.
		off := 0
		k := rng.IntN(len(lines))
		for _, l := range lines[:k] {
			off += len(l)
		}
		switch rng.IntN(3) {
		case 0:
			end := off
			for _, l := range lines[k:min(len(lines), k+1+rng.IntN(4))] {
				end += len(l)
			}
			d.apply(fmt.Sprintf("step %d cut", step), textEdit{off, end, ""})
		case 1:
			d.apply(fmt.Sprintf("step %d paste", step), textEdit{off, off, stmts[rng.IntN(len(stmts))]})
		default:
			d.apply(fmt.Sprintf("step %d batch", step), textEdit{off, off, stmts[rng.IntN(len(stmts))]}, textEdit{0, 0, stmts[rng.IntN(len(stmts))]}, textEdit{len(d.src), len(d.src), stmts[rng.IntN(len(stmts))]})
		}
	}
	if d.reused < 1000 {
		t.Fatalf("only %d records copied from previous parses", d.reused)
	}
}

// guardedOld is the guard pass before its rewrite: every guard against
// every scope's bindings of its name.
func guardedOld(m *Module) map[string]bool {
	t := &ScopeTree{ByNode: map[NodeID]*Scope{}, scopeOf: make([]int32, len(m.Nodes))}
	b := &scopeBuilder{m: m, t: t}
	t.Module = b.newScope(ModuleScope, 0, nil)
	b.visit(0, t.Module)
	for _, g := range b.guards {
		for _, sc := range t.All {
			for _, bd := range sc.Bindings[g.name] {
				if st := m.N(bd.Stmt).Start; st >= g.start && st < g.end {
					bd.Guarded = true
				}
			}
		}
	}
	return guardedSet(t)
}

func guardedSet(t *ScopeTree) map[string]bool {
	out := map[string]bool{}
	for i, sc := range t.All {
		for name, bds := range sc.Bindings {
			for j, bd := range bds {
				out[fmt.Sprintf("%d/%s/%d/%d", i, name, j, bd.Stmt)] = bd.Guarded
			}
		}
	}
	return out
}

// TestGuardsInNestedScopes: lazy initialisations in nested
// functions, classes, methods and comprehensions are marked as the pass
// before the rewrite marked them.
func TestGuardsInNestedScopes(t *testing.T) {
	srcs := []string{
		"_c = None\ndef outer():\n    _d = None\n    def inner():\n        nonlocal _d\n        if _d is None:\n            _d = make()\n        return _d\n    global _c\n    if not _c:\n        _c = make()\n    return inner\n",
		"class K:\n    _s = None\n    def get(self):\n        if self._s is None:\n            self._s = 1\n        x = None\n        if x is None:\n            x = 2\n            def h():\n                x = 3\n                return x\n        return x\n",
		"x = None\nif x is None:\n    x = 1\n    y = [x for x in range(3)]\n    def f():\n        x = 2\n        if x:\n            return x\n        x = 4\n",
		"a = b = None\ndef f():\n    global a, b\n    if a is not None:\n        return a\n    a = 1\n    if not b:\n        b = lambda: (a := 2)\n    return a, b\n",
	}
	for _, src := range srcs {
		m := parse(t, src)
		want := guardedOld(m)
		got := guardedSet(m.Scopes)
		if len(want) != len(got) {
			t.Fatalf("%q: %d bindings, %d before", src, len(got), len(want))
		}
		n := 0
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%q: binding %s guarded %v, before the rewrite %v", src, k, got[k], v)
			}
			if v {
				n++
			}
		}
		if n == 0 {
			t.Errorf("%q: no guarded binding at all", src)
		}
	}
}
