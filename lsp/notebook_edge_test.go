package lsp

// Edge cases of notebook document sync: moved and re-kinded cells, line
// ends and columns, magics, fixes applied and sent back, text-document
// copies of cells, races between publishing and closing.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"go.lsp.dev/jsonrpc2"
)

// rvLog is a thread-safe server log, to see internal errors (recovered
// panics) that a notification cannot report.
type rvLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *rvLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *rvLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *rvLog) noPanic(t *testing.T) {
	t.Helper()
	if s := l.String(); strings.Contains(s, "internal error") || strings.Contains(s, "panic") {
		t.Fatalf("server log shows an internal error:\n%s", s)
	}
}

type rvCell struct {
	kind int
	lang string
	text string
}

func py(text string) rvCell { return rvCell{CellCode, "python", text} }
func md(text string) rvCell { return rvCell{CellMarkup, "markdown", text} }

// rvNotebook is the client's copy of an open notebook.
type rvNotebook struct {
	c       *client
	uri     string
	version int32
	uris    []string
	texts   map[string]string
	vers    map[string]int32
}

func rvOpen(c *client, nbURI string, cells []rvCell) *rvNotebook {
	nb := &rvNotebook{c: c, uri: nbURI, version: 1, texts: map[string]string{}, vers: map[string]int32{}}
	var nbCells []NotebookCell
	var items []TextDocumentItem
	for i, cl := range cells {
		u := fmt.Sprintf("vscode-notebook-cell:%s#W%dsZmlsZQ%%3D%%3D", strings.TrimPrefix(nbURI, "file://"), i)
		nb.uris = append(nb.uris, u)
		nb.texts[u], nb.vers[u] = cl.text, 1
		nbCells = append(nbCells, NotebookCell{Kind: cl.kind, Document: u})
		items = append(items, TextDocumentItem{URI: u, LanguageID: cl.lang, Version: 1, Text: cl.text})
	}
	c.notify("notebookDocument/didOpen", DidOpenNotebookDocumentParams{
		NotebookDocument:  NotebookDocument{URI: nbURI, NotebookType: "jupyter-notebook", Version: 1, Cells: nbCells},
		CellTextDocuments: items,
	})
	return nb
}

func (nb *rvNotebook) change(cells map[string]any) {
	nb.c.t.Helper()
	nb.version++
	nb.c.notify("notebookDocument/didChange", map[string]any{
		"notebookDocument": VersionedTextDocumentIdentifier{URI: nb.uri, Version: nb.version},
		"change":           map[string]any{"cells": cells},
	})
}

// setText replaces a cell's whole text.
func (nb *rvNotebook) setText(uri, text string) {
	nb.c.t.Helper()
	nb.texts[uri] = text
	nb.vers[uri]++
	nb.change(map[string]any{"textContent": []any{map[string]any{
		"document": VersionedTextDocumentIdentifier{URI: uri, Version: nb.vers[uri]},
		"changes":  []TextDocumentContentChangeEvent{{Text: text}},
	}}})
}

// applyWorkspaceEdit applies edits to the client's copy of the cells and
// sends each edited cell's changes as the client does (incremental,
// in the order given by the edit, positions of the text before all of
// them, as VS Code applies a WorkspaceEdit).
func (nb *rvNotebook) apply(t *testing.T, we *WorkspaceEdit) {
	t.Helper()
	var tcs []any
	for uri, edits := range we.Changes {
		text, ok := nb.texts[uri]
		if !ok {
			t.Fatalf("an edit of %s, which is not a cell of the notebook", uri)
		}
		nb.texts[uri] = applyTextEdits(t, text, edits)
		nb.vers[uri]++
		tcs = append(tcs, map[string]any{
			"document": VersionedTextDocumentIdentifier{URI: uri, Version: nb.vers[uri]},
			"changes":  []TextDocumentContentChangeEvent{{Text: nb.texts[uri]}},
		})
	}
	nb.change(map[string]any{"textContent": tcs})
}

// rvOffset converts an LSP position (UTF-16) to a byte offset of text,
// clamping the character to the line's length, as the spec says.
func rvOffset(t *testing.T, text string, p Position) int {
	t.Helper()
	lines := strings.SplitAfter(text, "\n")
	if p.Line >= len(lines) {
		if p.Line == len(lines) && strings.HasSuffix(text, "\n") && p.Character == 0 {
			return len(text)
		}
		t.Fatalf("position %+v beyond the %d lines of %q", p, len(lines), text)
	}
	off := 0
	for _, l := range lines[:p.Line] {
		off += len(l)
	}
	content := strings.TrimRight(lines[p.Line], "\r\n")
	units := 0
	for i, r := range content {
		if units >= p.Character {
			return off + i
		}
		units += len(utf16.Encode([]rune{r}))
	}
	return off + len(content)
}

func applyTextEdits(t *testing.T, text string, edits []TextEdit) string {
	t.Helper()
	type span struct {
		s, e int
		txt  string
	}
	var spans []span
	for _, e := range edits {
		spans = append(spans, span{rvOffset(t, text, e.Range.Start), rvOffset(t, text, e.Range.End), e.NewText})
	}
	sort.SliceStable(spans, func(i, j int) bool { return spans[i].s > spans[j].s })
	for _, s := range spans {
		text = text[:s.s] + s.txt + text[s.e:]
	}
	return text
}

func rvActions(c *client, uri string, rng Range, only ...string) []CodeAction {
	var p CodeActionParams
	p.TextDocument = TextDocumentIdentifier{URI: uri}
	p.Range = rng
	p.Context.Only = only
	var out []CodeAction
	c.call("textDocument/codeAction", p, &out)
	return out
}

func findAction(as []CodeAction, prefix string) *CodeAction {
	for i := range as {
		if strings.HasPrefix(as[i].Title, prefix) {
			return &as[i]
		}
	}
	return nil
}

func countCode(ds []Diagnostic, code string) int {
	n := 0
	for _, d := range ds {
		if d.Code == code {
			n++
		}
	}
	return n
}

const rvSession = "from pyspark.sql import SparkSession\nspark = SparkSession.builder.getOrCreate()\nseen = []\n"
const rvKeep = "def keep(x):\n    seen.append(x)\n    return x\n"
const rvShip = "rdd = spark.sparkContext.parallelize([1, 2, 3])\nrdd.map(keep).count()\npairs = rdd.map(lambda x: (x, 1))\ntotals = pairs.groupByKey().mapValues(sum).collect()\n"

// ---------------------------------------------------------------------
// Cells moved, kinds changed, other languages.

func TestNotebookEdgeMovedCellKeepsTextAndDiagnostics(t *testing.T) {
	dir := t.TempDir()
	log := &rvLog{}
	c := newClient(t, clientOpts{root: dir, pull: true, server: Options{Log: log}})
	nb := rvOpen(c, pathToURI(filepath.Join(dir, "m.ipynb")), []rvCell{py(rvSession), py(rvKeep), py(rvShip)})
	a, b, s := nb.uris[0], nb.uris[1], nb.uris[2]
	if d := c.pullDiags(b).Items; countCode(d, "SPK101") != 1 {
		t.Fatalf("before the move: %+v", d)
	}
	// Move cell 3 above cell 2, as vscode-languageclient sends it: one
	// splice, no didOpen/didClose for the moved cell.
	nb.change(map[string]any{"structure": map[string]any{
		"array": NotebookCellArrayChange{Start: 1, DeleteCount: 2, Cells: []NotebookCell{{Kind: CellCode, Document: s}, {Kind: CellCode, Document: b}}},
	}})
	if d := c.pullDiags(b).Items; countCode(d, "SPK101") != 1 || d[0].Range.Start.Line != 1 {
		t.Fatalf("cell keep after the move: %+v", d)
	}
	if d := c.pullDiags(s).Items; countCode(d, "SPK201") != 1 || d[0].Range.Start.Line != 3 {
		t.Fatalf("shipping cell after the move: %+v", d)
	}
	// Move the first cell to the end (the whole list respliced).
	nb.change(map[string]any{"structure": map[string]any{
		"array": NotebookCellArrayChange{Start: 0, DeleteCount: 3, Cells: []NotebookCell{{Kind: CellCode, Document: s}, {Kind: CellCode, Document: b}, {Kind: CellCode, Document: a}}},
	}})
	if d := c.pullDiags(s).Items; countCode(d, "SPK201") != 1 {
		t.Fatalf("shipping cell after the second move: %+v", d)
	}
	// An edit of a moved cell applies to its kept text.
	nb.change(map[string]any{"textContent": []any{map[string]any{
		"document": VersionedTextDocumentIdentifier{URI: s, Version: 2},
		"changes":  []TextDocumentContentChangeEvent{{Range: &Range{Position{0, 0}, Position{0, 0}}, Text: "# moved\n"}},
	}}})
	if d := c.pullDiags(s).Items; countCode(d, "SPK201") != 1 || d[0].Range.Start.Line != 4 {
		t.Fatalf("shipping cell after an edit of the moved cell: %+v", d)
	}
	log.noPanic(t)
}

func TestNotebookEdgeCellKindChanges(t *testing.T) {
	dir := t.TempDir()
	c := newClient(t, clientOpts{root: dir, pull: true})
	nb := rvOpen(c, pathToURI(filepath.Join(dir, "k.ipynb")), []rvCell{py(rvSession), py(rvKeep), py(rvShip)})
	s := nb.uris[2]
	if d := c.pullDiags(s).Items; countCode(d, "SPK201") != 1 {
		t.Fatalf("before: %+v", d)
	}
	nb.change(map[string]any{"data": []NotebookCell{{Kind: CellMarkup, Document: s}}})
	if d := c.pullDiags(s).Items; len(d) != 0 {
		t.Fatalf("a cell made markup is not checked: %+v", d)
	}
	if d := c.pullDiags(nb.uris[1]).Items; len(d) != 0 {
		t.Fatalf("nothing ships keep once the shipping cell is markup: %+v", d)
	}
	nb.change(map[string]any{"data": []NotebookCell{{Kind: CellCode, Document: s}}})
	if d := c.pullDiags(s).Items; countCode(d, "SPK201") != 1 {
		t.Fatalf("back to code: %+v", d)
	}
}

func TestNotebookEdgeNonPythonCodeCell(t *testing.T) {
	dir := t.TempDir()
	c := newClient(t, clientOpts{root: dir, pull: true})
	sqlCell := rvCell{CellCode, "sql", "SELECT *\nFROM t\nWHERE x = (\n"}
	nb := rvOpen(c, pathToURI(filepath.Join(dir, "l.ipynb")), []rvCell{py(rvSession), sqlCell, py(rvKeep), py(rvShip)})
	if d := c.pullDiags(nb.uris[1]).Items; len(d) != 0 {
		t.Fatalf("a SQL cell is not checked: %+v", d)
	}
	if d := c.pullDiags(nb.uris[3]).Items; countCode(d, "SPK201") != 1 || d[0].Range.Start.Line != 3 || d[0].Range.Start.Character != 15 {
		t.Fatalf("cell after the SQL cell: %+v", d)
	}
	if d := c.pullDiags(nb.uris[2]).Items; countCode(d, "SPK101") != 1 || d[0].Range.Start.Line != 1 {
		t.Fatalf("keep: %+v", d)
	}
}

// ---------------------------------------------------------------------
// Texts: empty notebooks, line ends, columns.

func TestNotebookEdgeEmptyAndMarkdownOnlyNotebooks(t *testing.T) {
	dir := t.TempDir()
	log := &rvLog{}
	c := newClient(t, clientOpts{root: dir, pull: true, server: Options{Log: log}})
	empty := rvOpen(c, pathToURI(filepath.Join(dir, "empty.ipynb")), nil)
	if d := c.pullDiags(empty.uri).Items; len(d) != 0 {
		t.Fatalf("empty notebook: %+v", d)
	}
	mdOnly := rvOpen(c, pathToURI(filepath.Join(dir, "md.ipynb")), []rvCell{md("# Title\n"), md("text")})
	for _, u := range mdOnly.uris {
		if d := c.pullDiags(u).Items; len(d) != 0 {
			t.Fatalf("markdown cell: %+v", d)
		}
	}
	// Cells added to the empty notebook.
	u0, u1 := empty.uri+"#a", empty.uri+"#b"
	empty.change(map[string]any{"structure": map[string]any{
		"array":   NotebookCellArrayChange{Start: 0, Cells: []NotebookCell{{Kind: CellCode, Document: u0}, {Kind: CellCode, Document: u1}}},
		"didOpen": []TextDocumentItem{{URI: u0, LanguageID: "python", Version: 1, Text: rvSession + rvKeep}, {URI: u1, LanguageID: "python", Version: 1, Text: rvShip}},
	}})
	if d := c.pullDiags(u1).Items; countCode(d, "SPK201") != 1 {
		t.Fatalf("after cells were added to an empty notebook: %+v", d)
	}
	// An empty code cell.
	empty.change(map[string]any{"structure": map[string]any{
		"array":   NotebookCellArrayChange{Start: 1, Cells: []NotebookCell{{Kind: CellCode, Document: empty.uri + "#e"}}},
		"didOpen": []TextDocumentItem{{URI: empty.uri + "#e", LanguageID: "python", Version: 1, Text: ""}},
	}})
	if d := c.pullDiags(u1).Items; countCode(d, "SPK201") != 1 || d[0].Range.Start.Line != 3 {
		t.Fatalf("after an empty cell: %+v", d)
	}
	log.noPanic(t)
}

func TestNotebookEdgeLineEndsAndColumns(t *testing.T) {
	dir := t.TempDir()
	c := newClient(t, clientOpts{root: dir, pull: true})
	noEOL := "x = 1"
	crlf := strings.ReplaceAll(rvSession+"pairs = spark.sparkContext.parallelize([1]).map(lambda x: (x, 1))\n", "\n", "\r\n")
	uni := "s = \"é😀\"; t = pairs.groupByKey().mapValues(sum)\nrows = spark.read.parquet(\"p\")  # 😀😀\nall_rows = rows.collect()"
	nb := rvOpen(c, pathToURI(filepath.Join(dir, "cols.ipynb")), []rvCell{py(noEOL), py(crlf), py(uni)})
	d := c.pullDiags(nb.uris[2]).Items
	want := utf16Len([]byte("s = \"é😀\"; t = pairs."))
	var gbk, col *Diagnostic
	for i := range d {
		switch d[i].Code {
		case "SPK201":
			gbk = &d[i]
		case "SPK301":
			col = &d[i]
		}
	}
	if gbk == nil || gbk.Range.Start != (Position{0, want}) {
		t.Fatalf("SPK201 should start at 0:%d: %+v", want, d)
	}
	if col == nil || col.Range.Start.Line != 2 || col.Range.Start.Character != 16 || col.Range.End.Line != 2 || col.Range.End.Character != 25 {
		t.Fatalf("SPK301 should span 2:16-2:25: %+v", d)
	}
	// The fix of the CRLF notebook, applied.
	as := rvActions(c, nb.uris[2], gbk.Range, KindQuickFix)
	fix := findAction(as, "Replace")
	if fix == nil {
		t.Fatalf("no fix: %+v", as)
	}
	nb.apply(t, fix.Edit)
	if !strings.Contains(nb.texts[nb.uris[2]], "reduceByKey(operator.add)") {
		t.Fatalf("fixed cell: %q", nb.texts[nb.uris[2]])
	}
	if !strings.Contains(nb.texts[nb.uris[1]], "import operator") && !strings.Contains(nb.texts[nb.uris[0]], "import operator") {
		t.Fatalf("no import: %q", nb.texts)
	}
	for _, u := range nb.uris {
		if d := c.pullDiags(u).Items; countCode(d, "SPK201") != 0 || countCode(d, "SPK001") != 0 {
			t.Fatalf("after the fix, %s: %+v\ntexts: %q", u, d, nb.texts)
		}
	}
}

// ---------------------------------------------------------------------
// Magics.

func TestNotebookEdgeFindingsNextToMagics(t *testing.T) {
	dir := t.TempDir()
	c := newClient(t, clientOpts{root: dir, pull: true})
	cells := []rvCell{
		py("%pip install pyspark\n" + rvSession),
		py("%%sql\nSELECT * FROM t\n"),
		py("%time x = spark.read.parquet('p').collect()\nrows = spark.read.parquet('p').collect()\n!ls\nfiles = !ls\n"),
		py("for i in range(2):\n    %time pass\n    got = spark.read.parquet('p').collect()\n"),
	}
	nb := rvOpen(c, pathToURI(filepath.Join(dir, "magic.ipynb")), cells)
	d2 := c.pullDiags(nb.uris[2]).Items
	if len(d2) != 1 || d2[0].Code != "SPK301" || d2[0].Range.Start != (Position{1, 31}) {
		t.Fatalf("cell 3: %+v", d2)
	}
	d3 := c.pullDiags(nb.uris[3]).Items
	if len(d3) != 1 || d3[0].Code != "SPK301" || d3[0].Range.Start != (Position{2, 34}) {
		t.Fatalf("cell 4: %+v", d3)
	}
	// noqa after a magic line.
	as := rvActions(c, nb.uris[3], d3[0].Range, KindQuickFix)
	noqa := findAction(as, "Disable SPK301")
	if noqa == nil {
		t.Fatalf("no noqa action: %+v", as)
	}
	nb.apply(t, noqa.Edit)
	if got := strings.Split(nb.texts[nb.uris[3]], "\n")[2]; !strings.HasSuffix(got, "collect()  # noqa: SPK301") {
		t.Fatalf("noqa line: %q", got)
	}
	if d := c.pullDiags(nb.uris[3]).Items; len(d) != 0 {
		t.Fatalf("after noqa: %+v", d)
	}
}

// ---------------------------------------------------------------------
// Code actions.

func TestNotebookEdgeFixWithImportAndNoqaInLaterCells(t *testing.T) {
	dir := t.TempDir()
	c := newClient(t, clientOpts{root: dir, pull: true})
	nb := rvOpen(c, pathToURI(filepath.Join(dir, "fix.ipynb")), []rvCell{md("# T\n"), py(rvSession), py("%matplotlib inline\n" + rvKeep), md("x"), py(rvShip)})
	s := nb.uris[4]
	d := c.pullDiags(s).Items
	if countCode(d, "SPK201") != 1 {
		t.Fatalf("%+v", d)
	}
	fix := findAction(rvActions(c, s, d[0].Range), "Replace")
	if fix == nil {
		t.Fatal("no fix")
	}
	if len(fix.Edit.Changes[nb.uris[1]]) != 1 {
		t.Fatalf("the import should go to the first code cell: %+v", fix.Edit.Changes)
	}
	nb.apply(t, fix.Edit)
	if !strings.HasPrefix(nb.texts[nb.uris[1]], "from pyspark.sql import SparkSession\nimport operator\n") {
		t.Fatalf("first code cell: %q", nb.texts[nb.uris[1]])
	}
	if d := c.pullDiags(s).Items; countCode(d, "SPK201") != 0 {
		t.Fatalf("after the fix: %+v\n%q", d, nb.texts[s])
	}
	// noqa in the cell after the magic (the third cell): SPK101.
	dk := c.pullDiags(nb.uris[2]).Items
	if len(dk) != 1 || dk[0].Code != "SPK101" || dk[0].Range.Start != (Position{2, 4}) {
		t.Fatalf("keep: %+v", dk)
	}
	noqa := findAction(rvActions(c, nb.uris[2], dk[0].Range), "Disable SPK101")
	if noqa == nil {
		t.Fatal("no noqa")
	}
	nb.apply(t, noqa.Edit)
	if !strings.Contains(strings.Split(nb.texts[nb.uris[2]], "\n")[2], "seen.append(x)  # noqa: SPK101") {
		t.Fatalf("noqa edit: %q", nb.texts[nb.uris[2]])
	}
	for _, u := range nb.uris {
		if d := c.pullDiags(u).Items; len(d) != 0 {
			t.Fatalf("%s: %+v\n%q", u, d, nb.texts)
		}
	}
}

// The import operator of a fix must not go into a %%-magic cell (or any
// other cell than one that holds Python code where it can go).
func TestNotebookEdgeFixImportNotIntoCellMagic(t *testing.T) {
	dir := t.TempDir()
	c := newClient(t, clientOpts{root: dir, pull: true})
	nb := rvOpen(c, pathToURI(filepath.Join(dir, "fixsql.ipynb")), []rvCell{
		py("from pyspark.sql import SparkSession\n"),
		py("%%sql\nSELECT * FROM t\n"),
		py("spark = SparkSession.builder.getOrCreate()\npairs = spark.sparkContext.parallelize([1]).map(lambda x: (x, 1))\ntotals = pairs.groupByKey().mapValues(sum)\n"),
	})
	s := nb.uris[2]
	d := c.pullDiags(s).Items
	if countCode(d, "SPK201") != 1 {
		t.Fatalf("%+v", d)
	}
	fix := findAction(rvActions(c, s, d[0].Range), "Replace")
	if fix == nil {
		t.Fatal("no fix")
	}
	nb.apply(t, fix.Edit)
	if !strings.HasPrefix(nb.texts[nb.uris[1]], "%%sql\n") {
		t.Errorf("the fix broke the %%%%sql cell (its magic is no longer its first line): %q", nb.texts[nb.uris[1]])
	}
	for _, u := range nb.uris {
		if d := c.pullDiags(u).Items; len(d) != 0 {
			t.Errorf("after the fix, %s: %+v", u, d)
		}
	}
}

func TestNotebookEdgeFixAllAcrossCells(t *testing.T) {
	dir := t.TempDir()
	c := newClient(t, clientOpts{root: dir, pull: true})
	nb := rvOpen(c, pathToURI(filepath.Join(dir, "all.ipynb")), []rvCell{
		py(rvSession + "pairs = spark.sparkContext.parallelize([1]).map(lambda x: (x, 1))\n"),
		py("a = pairs.groupByKey().mapValues(sum)\n"),
		md("m"),
		py("b = pairs.groupByKey().mapValues(max)\nc = pairs.groupByKey().mapValues(min)\n"),
	})
	for round := 0; ; round++ {
		total := 0
		for _, u := range nb.uris {
			total += countCode(c.pullDiags(u).Items, "SPK201")
		}
		if total == 0 {
			break
		}
		if round == 4 {
			t.Fatalf("SPK201 left after %d rounds of fix-all: %q", round, nb.texts)
		}
		as := rvActions(c, nb.uris[1], Range{}, KindFixAll)
		if len(as) != 1 {
			t.Fatalf("round %d: fix-all actions %+v (texts %q)", round, as, nb.texts)
		}
		nb.apply(t, as[0].Edit)
	}
	if n := strings.Count(strings.Join([]string{nb.texts[nb.uris[0]], nb.texts[nb.uris[1]], nb.texts[nb.uris[3]]}, ""), "import operator"); n != 1 {
		t.Fatalf("import operator %d times: %q", n, nb.texts)
	}
}

// ---------------------------------------------------------------------
// Robustness.

func TestNotebookEdgeRobustness(t *testing.T) {
	dir := t.TempDir()
	log := &rvLog{}
	c := newClient(t, clientOpts{root: dir, pull: true, server: Options{Log: log}})
	nb := rvOpen(c, pathToURI(filepath.Join(dir, "r.ipynb")), []rvCell{py(rvSession), py(rvKeep), py(rvShip)})
	// An unknown notebook.
	c.notify("notebookDocument/didChange", map[string]any{
		"notebookDocument": VersionedTextDocumentIdentifier{URI: "file:///nope.ipynb", Version: 2},
		"change": map[string]any{"cells": map[string]any{"structure": map[string]any{
			"array": NotebookCellArrayChange{Start: 5, DeleteCount: 3},
		}}},
	})
	// Out of range structure changes.
	for _, a := range []NotebookCellArrayChange{
		{Start: 10, DeleteCount: 0, Cells: []NotebookCell{{Kind: CellCode, Document: nb.uri + "#x"}}},
		{Start: 2, DeleteCount: 100},
		{Start: -3, DeleteCount: -1},
		{Start: 1 << 62, DeleteCount: 1 << 62},
	} {
		nb.change(map[string]any{"structure": map[string]any{"array": a}})
		c.pullDiags(nb.uris[0])
	}
	// A change with a range outside the cell, and one for a cell that is not in the notebook.
	nb.change(map[string]any{"textContent": []any{
		map[string]any{"document": VersionedTextDocumentIdentifier{URI: nb.uris[0], Version: 5},
			"changes": []TextDocumentContentChangeEvent{{Range: &Range{Position{99, 99}, Position{-1, -5}}, Text: "x"}}},
		map[string]any{"document": VersionedTextDocumentIdentifier{URI: "vscode-notebook-cell:zzz", Version: 5},
			"changes": []TextDocumentContentChangeEvent{{Text: "x"}}},
	}})
	c.pullDiags(nb.uris[0])
	c.pullDiags(nb.uri + "#x")
	var as []CodeAction
	c.call("textDocument/codeAction", CodeActionParams{TextDocument: TextDocumentIdentifier{URI: nb.uri}}, &as)
	c.call("textDocument/codeAction", CodeActionParams{TextDocument: TextDocumentIdentifier{URI: nb.uris[0]}}, &as)
	var h *Hover
	c.call("textDocument/hover", TextDocumentPositionParams{TextDocument: TextDocumentIdentifier{URI: nb.uris[0]}, Position: Position{50, 3}}, &h)
	c.notify("notebookDocument/didClose", DidCloseNotebookDocumentParams{NotebookDocument: TextDocumentIdentifier{URI: nb.uri}})
	c.notify("notebookDocument/didClose", DidCloseNotebookDocumentParams{NotebookDocument: TextDocumentIdentifier{URI: nb.uri}})
	if d := c.pullDiags(nb.uris[0]).Items; len(d) != 0 {
		t.Fatalf("closed: %+v", d)
	}
	c.call("textDocument/codeAction", CodeActionParams{TextDocument: TextDocumentIdentifier{URI: nb.uris[2]}}, &as)
	if len(as) != 0 {
		t.Fatalf("actions in a closed notebook: %+v", as)
	}
	log.noPanic(t)
}

// Many quick edits then a pull: the pull reflects the last text.
func TestNotebookEdgePullAfterQuickEdits(t *testing.T) {
	dir := t.TempDir()
	c := newClient(t, clientOpts{root: dir, pull: true, server: Options{Debounce: 2 * time.Millisecond}})
	nb := rvOpen(c, pathToURI(filepath.Join(dir, "q.ipynb")), []rvCell{py(rvSession), py(rvKeep), py(rvShip)})
	s := nb.uris[2]
	c.pullDiags(s)
	for i := 0; i < 60; i++ {
		nb.vers[s]++
		nb.change(map[string]any{"textContent": []any{map[string]any{
			"document": VersionedTextDocumentIdentifier{URI: s, Version: nb.vers[s]},
			"changes":  []TextDocumentContentChangeEvent{{Range: &Range{Position{0, 0}, Position{0, 0}}, Text: "# c\n"}},
		}}})
		if i%7 == 0 {
			time.Sleep(time.Millisecond)
		}
	}
	if d := c.pullDiags(s).Items; countCode(d, "SPK201") != 1 || d[0].Range.Start.Line != 63 {
		t.Fatalf("after 60 inserted lines: %+v", d)
	}
	// And the cells pushed to this pull client settle on the same.
	c.waitDiags(s, func(d []Diagnostic) bool { return countCode(d, "SPK201") == 1 && d[0].Range.Start.Line == 63 })
}

// ---------------------------------------------------------------------
// Push.

func TestNotebookEdgePushPerCellAndDeleted(t *testing.T) {
	dir := t.TempDir()
	c := newClient(t, clientOpts{root: dir, server: Options{Debounce: time.Millisecond}})
	nb := rvOpen(c, pathToURI(filepath.Join(dir, "p.ipynb")), []rvCell{py(rvSession), py(rvKeep), md("m"), py(rvShip)})
	c.waitDiags(nb.uris[3], hasCode("SPK201"))
	c.waitDiags(nb.uris[1], hasCode("SPK101"))
	for _, i := range []int{0, 2} {
		c.waitDiags(nb.uris[i], func(d []Diagnostic) bool { return len(d) == 0 })
	}
	// A moved cell keeps its diagnostics.
	nb.change(map[string]any{"structure": map[string]any{
		"array": NotebookCellArrayChange{Start: 1, DeleteCount: 3, Cells: []NotebookCell{{Kind: CellCode, Document: nb.uris[3]}, {Kind: CellMarkup, Document: nb.uris[2]}, {Kind: CellCode, Document: nb.uris[1]}}},
	}})
	time.Sleep(100 * time.Millisecond)
	c.waitDiags(nb.uris[3], hasCode("SPK201"))
	c.waitDiags(nb.uris[1], hasCode("SPK101"))
	// Deleted: an empty publish.
	nb.change(map[string]any{"structure": map[string]any{
		"array":    NotebookCellArrayChange{Start: 1, DeleteCount: 1},
		"didClose": []TextDocumentIdentifier{{URI: nb.uris[3]}},
	}})
	c.waitDiags(nb.uris[3], func(d []Diagnostic) bool { return len(d) == 0 })
	c.waitDiags(nb.uris[1], func(d []Diagnostic) bool { return len(d) == 0 })
}

// ---------------------------------------------------------------------
// Notebooks and the rest of the workspace.

const rvHelpers = "REJECTED = []\n\n\ndef clean(line):\n    text = line.strip()\n    if not text:\n        REJECTED.append(line)\n        return None\n    return text\n"

func rvProject(t *testing.T) string {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "pyproject.toml"), "[project]\nname = \"p\"\n")
	writeFile(t, filepath.Join(dir, "jobs", "__init__.py"), "")
	writeFile(t, filepath.Join(dir, "jobs", "helpers.py"), rvHelpers)
	return dir
}

var rvShipHelper = []rvCell{
	py("from pyspark.sql import SparkSession\nfrom jobs.helpers import clean\nspark = SparkSession.builder.getOrCreate()\n"),
	md("# Cleaning"),
	py("# ships clean\nraw = spark.sparkContext.textFile('x')\ncleaned = raw.map(clean)\ncleaned.count()\n"),
}

// A finding that checking the notebook reports in an imported module: its
// related location (the shipping call) is in a cell, and must name the
// cell's document and the line in the cell.
func TestNotebookEdgeRelatedLocationInCellFromOtherFile(t *testing.T) {
	dir := rvProject(t)
	c := newClient(t, clientOpts{root: dir, pull: true})
	helpers := pathToURI(filepath.Join(dir, "jobs", "helpers.py"))
	c.open(helpers, rvHelpers)
	nb := rvOpen(c, pathToURI(filepath.Join(dir, "clean.ipynb")), rvShipHelper)
	c.pullDiags(nb.uris[2])
	d := c.pullUntil(helpers, hasCode("SPK101"))
	var rel []DiagnosticRelatedInformation
	for _, x := range d {
		if x.Code == "SPK101" {
			rel = x.RelatedInformation
		}
	}
	if len(rel) == 0 {
		t.Fatalf("no related information: %+v", d)
	}
	if rel[0].Location.URI != nb.uris[2] || rel[0].Location.Range.Start.Line != 2 {
		t.Fatalf("the related location should be line 2 of the cell %s: %+v", nb.uris[2], rel)
	}
}

// Closing a notebook (never saved) takes back what checking it found in
// the other files.
func TestNotebookEdgeClosedNotebookFindingsInOtherFilesGo(t *testing.T) {
	dir := rvProject(t)
	c := newClient(t, clientOpts{root: dir, pull: true})
	helpers := pathToURI(filepath.Join(dir, "jobs", "helpers.py"))
	c.open(helpers, rvHelpers)
	if d := c.pullDiags(helpers).Items; countCode(d, "SPK101") != 0 {
		t.Fatalf("nothing ships clean yet: %+v", d)
	}
	nb := rvOpen(c, pathToURI(filepath.Join(dir, "clean.ipynb")), rvShipHelper)
	c.pullDiags(nb.uris[2])
	c.pullUntil(helpers, hasCode("SPK101"))
	c.notify("notebookDocument/didClose", DidCloseNotebookDocumentParams{NotebookDocument: TextDocumentIdentifier{URI: nb.uri}})
	c.pullUntil(helpers, func(d []Diagnostic) bool { return countCode(d, "SPK101") == 0 })
}

// A new notebook (untitled:) is a Jupyter notebook too: spark is
// predefined there as in a saved one.
func TestNotebookEdgeUntitledNotebookIsANotebook(t *testing.T) {
	dir := t.TempDir()
	c := newClient(t, clientOpts{root: dir, pull: true})
	cells := []rvCell{py("rows = spark.read.parquet('p')\n"), py("all_rows = rows.collect()\n")}
	saved := rvOpen(c, pathToURI(filepath.Join(dir, "saved.ipynb")), cells)
	if d := c.pullDiags(saved.uris[1]).Items; countCode(d, "SPK301") != 1 {
		t.Fatalf("saved notebook: %+v", d)
	}
	untitled := rvOpen(c, "untitled:Untitled-1.ipynb", cells)
	if d := c.pullDiags(untitled.uris[1]).Items; countCode(d, "SPK301") != 1 {
		t.Errorf("untitled notebook: %+v (saved: SPK301)", d)
	}
	// A Databricks source notebook (.py) opened as a notebook document.
	dbx := rvOpen(c, pathToURI(filepath.Join(dir, "dbx.py")), cells)
	if d := c.pullDiags(dbx.uris[1]).Items; countCode(d, "SPK301") != 1 {
		t.Errorf("notebook document of a .py file: %+v (saved .ipynb: SPK301)", d)
	}
}

// A client that also syncs the cells as text documents: the server
// ignores their didOpen ("the notebook's copy is the one checked"); their
// didChange and didClose must not change or drop the notebook's cells.
func TestNotebookEdgeCellAlsoSyncedAsTextDocument(t *testing.T) {
	dir := t.TempDir()
	c := newClient(t, clientOpts{root: dir, pull: true})
	nb := rvOpen(c, pathToURI(filepath.Join(dir, "both.ipynb")), []rvCell{py(rvSession), py(rvKeep), py(rvShip)})
	s := nb.uris[2]
	c.notify("textDocument/didOpen", DidOpenTextDocumentParams{TextDocument: TextDocumentItem{URI: s, LanguageID: "python", Version: 1, Text: rvShip}})
	ins := TextDocumentContentChangeEvent{Range: &Range{Position{0, 0}, Position{0, 0}}, Text: "# one line more\n"}
	c.change(s, 2, ins)
	nb.change(map[string]any{"textContent": []any{map[string]any{
		"document": VersionedTextDocumentIdentifier{URI: s, Version: 2},
		"changes":  []TextDocumentContentChangeEvent{ins},
	}}})
	if d := c.pullDiags(s).Items; countCode(d, "SPK201") != 1 || d[0].Range.Start.Line != 4 {
		t.Errorf("one line inserted above groupByKey (line 3 → 4): %+v", d)
	}
	c.notify("textDocument/didClose", DidSaveTextDocumentParams{TextDocument: TextDocumentIdentifier{URI: s}})
	if d := c.pullDiags(s).Items; countCode(d, "SPK201") != 1 {
		t.Errorf("after textDocument/didClose of the cell, the notebook still holds it: %+v", d)
	}
}

// The .ipynb file opened as a text document (its JSON) while the notebook
// is open: the notebook document must go on.
func TestNotebookEdgeNotebookJSONOpenedAsText(t *testing.T) {
	dir := t.TempDir()
	c := newClient(t, clientOpts{root: dir, pull: true})
	nb := rvOpen(c, pathToURI(filepath.Join(dir, "j.ipynb")), []rvCell{py(rvSession), py(rvKeep), py(rvShip)})
	s := nb.uris[2]
	if d := c.pullDiags(s).Items; countCode(d, "SPK201") != 1 {
		t.Fatalf("%+v", d)
	}
	c.notify("textDocument/didOpen", DidOpenTextDocumentParams{TextDocument: TextDocumentItem{URI: nb.uri, LanguageID: "json", Version: 1, Text: "{\"cells\": []}"}})
	c.notify("textDocument/didClose", DidSaveTextDocumentParams{TextDocument: TextDocumentIdentifier{URI: nb.uri}})
	nb.setText(s, "# edited\n"+rvShip)
	if d := c.pullDiags(s).Items; countCode(d, "SPK201") != 1 || d[0].Range.Start.Line != 4 {
		t.Fatalf("the notebook after its JSON was opened and closed as text: %+v", d)
	}
}

// rvOrdered is a client that records the server's publishDiagnostics in
// the order they arrive (the shared test client handles notifications
// concurrently, so its "last" publish of a URI is not the last sent).
type rvOrdered struct {
	conn jsonrpc2.Conn
	mu   sync.Mutex
	last map[string][]Diagnostic
	n    int
}

func newOrdered(t *testing.T, root string, pull bool) *rvOrdered {
	a, b := net.Pipe()
	served := make(chan error, 1)
	go func() { served <- Serve(context.Background(), a, Options{Debounce: time.Millisecond}) }()
	o := &rvOrdered{last: map[string][]Diagnostic{}}
	o.conn = jsonrpc2.NewConn(jsonrpc2.NewHeaderStream(b), jsonrpc2.WithCodec(stdCodec{}))
	o.conn.Go(context.Background(), func(ctx context.Context, req *jsonrpc2.Request) (any, error) {
		if req.Method() == "textDocument/publishDiagnostics" {
			var p PublishDiagnosticsParams
			_ = json.Unmarshal(req.Params(), &p)
			o.mu.Lock()
			o.last[p.URI] = p.Diagnostics
			o.n++
			o.mu.Unlock()
		}
		return nil, nil
	})
	t.Cleanup(func() {
		_ = o.conn.Close()
		select {
		case <-served:
		case <-time.After(5 * time.Second):
		}
	})
	caps := map[string]any{"textDocument": map[string]any{}}
	if pull {
		caps["textDocument"] = map[string]any{"diagnostic": map[string]any{}}
	}
	var res InitializeResult
	if _, err := o.conn.Call(context.Background(), "initialize", map[string]any{"processId": nil, "capabilities": caps,
		"workspaceFolders": []WorkspaceFolder{{URI: pathToURI(root), Name: "ws"}}}, &res); err != nil {
		t.Fatal(err)
	}
	_ = o.conn.Notify(context.Background(), "initialized", map[string]any{})
	return o
}

func (o *rvOrdered) notify(t *testing.T, method string, params any) {
	if err := o.conn.Notify(context.Background(), method, params); err != nil {
		t.Fatal(err)
	}
}

// settle waits until no publish arrived for 100 ms.
func (o *rvOrdered) settle() {
	prev := -1
	for {
		time.Sleep(100 * time.Millisecond)
		o.mu.Lock()
		n := o.n
		o.mu.Unlock()
		if n == prev {
			return
		}
		prev = n
	}
}

// A notebook closed (or a cell deleted) while its analysis is being
// published: the last diagnostics the client holds for its cells must be
// empty.
func TestNotebookEdgePushAfterCloseRace(t *testing.T) {
	for _, pull := range []bool{false, true} {
		// The race is narrow: batches until one shows it.
		for batch := 0; batch < 2; batch++ {
			if n := rvCloseRaceBatch(t, pull, batch); n > 0 {
				t.Errorf("pull=%v: %d cells keep pushed diagnostics after their notebook closed or they were deleted", pull, n)
				break
			}
		}
	}
}

func rvCloseRaceBatch(t *testing.T, pull bool, batch int) int {
	dir := t.TempDir()
	o := newOrdered(t, dir, pull)
	var all []string
	for i := 0; i < 300; i++ {
		nbURI := pathToURI(filepath.Join(dir, fmt.Sprintf("race%d.ipynb", i)))
		var cells []NotebookCell
		var items []TextDocumentItem
		for j, text := range []string{rvSession, rvKeep, rvShip} {
			u := fmt.Sprintf("%s#c%d", nbURI, j)
			all = append(all, u)
			cells = append(cells, NotebookCell{Kind: CellCode, Document: u})
			items = append(items, TextDocumentItem{URI: u, LanguageID: "python", Version: 1, Text: text})
		}
		o.notify(t, "notebookDocument/didOpen", DidOpenNotebookDocumentParams{
			NotebookDocument:  NotebookDocument{URI: nbURI, NotebookType: "jupyter-notebook", Version: 1, Cells: cells},
			CellTextDocuments: items,
		})
		time.Sleep(time.Duration((i+batch)%7) * 150 * time.Microsecond)
		if i%2 == 0 {
			o.notify(t, "notebookDocument/didClose", DidCloseNotebookDocumentParams{NotebookDocument: TextDocumentIdentifier{URI: nbURI}})
		} else { // all its cells deleted
			o.notify(t, "notebookDocument/didChange", map[string]any{
				"notebookDocument": VersionedTextDocumentIdentifier{URI: nbURI, Version: 2},
				"change": map[string]any{"cells": map[string]any{"structure": map[string]any{
					"array": NotebookCellArrayChange{Start: 0, DeleteCount: 3}}}},
			})
		}
	}
	o.settle()
	o.mu.Lock()
	defer o.mu.Unlock()
	stale := 0
	for _, u := range all {
		if d := o.last[u]; len(d) != 0 {
			stale++
			if stale < 3 {
				t.Logf("pull=%v: %s keeps %v after it was closed or deleted", pull, u, codes(d))
			}
		}
	}
	return stale
}

// Concurrent requests and edits, for -race.
func TestNotebookEdgeConcurrentRequests(t *testing.T) {
	dir := t.TempDir()
	log := &rvLog{}
	c := newClient(t, clientOpts{root: dir, pull: true, server: Options{Debounce: time.Millisecond, Log: log}})
	nb := rvOpen(c, pathToURI(filepath.Join(dir, "conc.ipynb")), []rvCell{py(rvSession), py(rvKeep), md("m"), py(rvShip)})
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				var r DocumentDiagnosticReport
				_, _ = c.conn.Call(t.Context(), "textDocument/diagnostic", DocumentDiagnosticParams{TextDocument: TextDocumentIdentifier{URI: nb.uris[(g*3)%4]}}, &r)
				var as []CodeAction
				_, _ = c.conn.Call(t.Context(), "textDocument/codeAction", CodeActionParams{TextDocument: TextDocumentIdentifier{URI: nb.uris[3]}, Range: Range{Position{3, 0}, Position{3, 50}}}, &as)
			}
		}(g)
	}
	extra := nb.uri + "#extra"
	for i := 0; i < 80; i++ {
		switch i % 4 {
		case 0:
			nb.change(map[string]any{"structure": map[string]any{
				"array":   NotebookCellArrayChange{Start: 1, Cells: []NotebookCell{{Kind: CellCode, Document: extra}}},
				"didOpen": []TextDocumentItem{{URI: extra, LanguageID: "python", Version: 1, Text: "rdd2 = spark.sparkContext.parallelize([1])\nrdd2.foreach(keep)\n"}},
			}})
		case 1:
			nb.change(map[string]any{"data": []NotebookCell{{Kind: CellCode, Document: nb.uris[2]}}})
		case 2:
			nb.change(map[string]any{"data": []NotebookCell{{Kind: CellMarkup, Document: nb.uris[2]}}})
		case 3:
			nb.change(map[string]any{"structure": map[string]any{
				"array":    NotebookCellArrayChange{Start: 1, DeleteCount: 1},
				"didClose": []TextDocumentIdentifier{{URI: extra}},
			}})
		}
		nb.setText(nb.uris[3], strings.Repeat("# x\n", i%5)+rvShip)
		time.Sleep(time.Millisecond)
	}
	close(stop)
	wg.Wait()
	if d := c.pullDiags(nb.uris[3]).Items; countCode(d, "SPK201") != 1 || d[0].Range.Start.Line != 3+79%5 {
		t.Fatalf("last: %+v", d)
	}
	log.noPanic(t)
}

// noqa in cells: a suppression in a later cell works, an unused one is
// reported and removed by its fix, "Disable" on a CRLF line with
// non-ASCII text.
func TestNotebookEdgeNoqaInCells(t *testing.T) {
	dir := t.TempDir()
	c := newClient(t, clientOpts{root: dir, pull: true, initOpts: `{"select": ["ALL"]}`})
	crlf := "name = \"é😀\"; rows = spark.read.parquet('p')\r\nall_rows = rows.collect()  # é😀\r\n"
	nb := rvOpen(c, pathToURI(filepath.Join(dir, "noqa.ipynb")), []rvCell{
		py(rvSession + "pairs = spark.sparkContext.parallelize([1]).map(lambda x: (x, 1))\n"),
		md("m"),
		py("%time y = 1\ngrouped = pairs.groupByKey()  # noqa: SPK201\nrows2 = pairs.reduceByKey(max)  # noqa: SPK201\n"),
		py(crlf),
	})
	d := c.pullDiags(nb.uris[2]).Items
	if len(d) != 1 || d[0].Code != "SPK002" || d[0].Range.Start.Line != 2 {
		t.Fatalf("cell 3: %+v", d)
	}
	fix := findAction(rvActions(c, nb.uris[2], d[0].Range, KindQuickFix), "")
	if fix == nil || fix.Edit == nil {
		t.Fatalf("no fix for SPK002")
	}
	nb.apply(t, fix.Edit)
	if got := strings.Split(nb.texts[nb.uris[2]], "\n")[2]; got != "rows2 = pairs.reduceByKey(max)" {
		t.Fatalf("after removing the unused noqa: %q", got)
	}
	d3 := c.pullDiags(nb.uris[3]).Items
	if len(d3) != 1 || d3[0].Code != "SPK301" || d3[0].Range.Start != (Position{1, 16}) {
		t.Fatalf("cell 4: %+v", d3)
	}
	noqa := findAction(rvActions(c, nb.uris[3], d3[0].Range, KindQuickFix), "Disable SPK301")
	if noqa == nil {
		t.Fatal("no noqa action")
	}
	nb.apply(t, noqa.Edit)
	if got := nb.texts[nb.uris[3]]; !strings.Contains(got, "collect()  # é😀  # noqa: SPK301\r\n") && !strings.Contains(got, "collect()  # noqa: SPK301  # é😀\r\n") {
		t.Fatalf("noqa on a CRLF line: %q", got)
	}
	for _, u := range nb.uris {
		if d := c.pullDiags(u).Items; len(d) != 0 {
			t.Fatalf("%s: %+v\n%q", u, d, nb.texts)
		}
	}
}

// A file that nothing open depends on changes on disk: a pull client is
// not asked to pull again (the cells of an open notebook, never analysed
// themselves, are not out of date).
func TestNotebookEdgeNoRefreshForUnrelatedFileWithNotebookOpen(t *testing.T) {
	for _, withNotebook := range []bool{false, true} {
		dir := t.TempDir()
		c := newClient(t, clientOpts{root: dir, pull: true})
		c.waitCall("client/registerCapability")
		main := pathToURI(filepath.Join(dir, "main.py"))
		c.open(main, "import os\n")
		c.pullDiags(main)
		if withNotebook {
			nb := rvOpen(c, pathToURI(filepath.Join(dir, "n.ipynb")), []rvCell{py(rvSession), py(rvKeep), py(rvShip)})
			c.pullDiags(nb.uris[2])
		}
		time.Sleep(100 * time.Millisecond)
	drain:
		for {
			select {
			case <-c.calls:
			default:
				break drain
			}
		}
		other := filepath.Join(dir, "other.py")
		writeFile(t, other, "x = 1\n")
		c.notify("workspace/didChangeWatchedFiles", DidChangeWatchedFilesParams{Changes: []FileEvent{{URI: pathToURI(other), Type: 1}}})
		select {
		case m := <-c.calls:
			t.Errorf("notebook open=%v: the server called %s after an unrelated file changed", withNotebook, m)
		case <-time.After(300 * time.Millisecond):
		}
	}
}

// A syntax error at the very end of the last cell, and a statement that
// runs on from one cell into the next: ranges stay inside their cell.
func TestNotebookEdgeRangesAtCellEnds(t *testing.T) {
	dir := t.TempDir()
	c := newClient(t, clientOpts{root: dir, pull: true})
	nb := rvOpen(c, pathToURI(filepath.Join(dir, "ends.ipynb")), []rvCell{
		py(rvSession + "rows = (spark.read.parquet('p')\n"),
		py(".collect())\n"),
		py("x = ("),
	})
	for i, u := range nb.uris {
		for _, dg := range c.pullDiags(u).Items {
			text := nb.texts[u]
			lines := strings.Split(text, "\n")
			for _, p := range []Position{dg.Range.Start, dg.Range.End} {
				if p.Line >= len(lines) || p.Character > utf16Len([]byte(lines[p.Line])) {
					t.Errorf("cell %d: %s at %+v, outside the cell's text %q", i, dg.Code, dg.Range, text)
				}
			}
		}
	}
}

// A line magic or shell escape as the only statement of a block is valid
// in a notebook (IPython runs it): no syntax error.
func TestNotebookEdgeMagicAloneInBlock(t *testing.T) {
	dir := t.TempDir()
	c := newClient(t, clientOpts{root: dir, pull: true})
	nb := rvOpen(c, pathToURI(filepath.Join(dir, "block.ipynb")), []rvCell{
		py(rvSession),
		py("for i in range(2):\n    %time spark.range(i).count()\n"),
		py("if seen:\n    !ls\nelse:\n    pass\n"),
	})
	for _, u := range nb.uris[1:] {
		if d := c.pullDiags(u).Items; len(d) != 0 {
			t.Errorf("%q: %+v", nb.texts[u], d)
		}
	}
}

// Columns in a %%-magic cell whose line is itself a comment (the module
// has "##..." there): a finding on it is at its column in the cell.
func TestNotebookEdgeColumnsOnCommentLineOfCellMagic(t *testing.T) {
	dir := t.TempDir()
	c := newClient(t, clientOpts{root: dir, pull: true, initOpts: `{"select": ["ALL"]}`})
	nb := rvOpen(c, pathToURI(filepath.Join(dir, "bash.ipynb")), []rvCell{
		py(rvSession),
		py("%%bash\n# noqa: SPK201\necho hi\n"),
	})
	d := c.pullDiags(nb.uris[1]).Items
	if len(d) != 1 || d[0].Code != "SPK002" {
		t.Skipf("no SPK002 in a %%%%bash cell: %+v", d)
	}
	line := "# noqa: SPK201"
	if r := d[0].Range; r.Start.Line != 1 || r.Start.Character != strings.Index(line, "SPK201") || r.End.Character != len(line) {
		t.Errorf("SPK002 at %+v, want 1:%d-1:%d", r, strings.Index(line, "SPK201"), len(line))
	}
	if as := rvActions(c, nb.uris[1], d[0].Range, KindQuickFix); len(as) > 0 && as[0].Edit != nil {
		t.Logf("%s: %+v", as[0].Title, as[0].Edit.Changes)
		nb.apply(t, as[0].Edit)
		if got := nb.texts[nb.uris[1]]; got != "%%bash\n\necho hi\n" && got != "%%bash\n#\necho hi\n" {
			t.Errorf("after the fix: %q", got)
		}
	}
}
