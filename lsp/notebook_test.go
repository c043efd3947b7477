package lsp

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The cells of a notebook: the session and a module-level list in the
// first, a function that mutates the list in the second (after a magic),
// a markdown cell, and a cell that ships the function to executors.
var notebookCells = []struct {
	kind int
	text string
}{
	{CellCode, "from pyspark.sql import SparkSession\nspark = SparkSession.builder.getOrCreate()\nseen = []\n"},
	{CellCode, "%matplotlib inline\ndef keep(x):\n    seen.append(x)  # é\n    return x\n"},
	{CellMarkup, "# Results\nThe groupByKey below is slow.\n"},
	{CellCode, "rdd = spark.sparkContext.parallelize([1, 2, 3])\nrdd.map(keep).count()\npairs = rdd.map(lambda x: (x, 1))\ntotals = pairs.groupByKey().mapValues(sum).collect()\n"},
}

func cellURI(nb string, i int) string {
	return "vscode-notebook-cell:" + nb + "#cell" + string(rune('A'+i))
}

// openNotebook opens the notebook at path with notebookCells.
func openNotebook(c *client, path string) (nbURI string, cells []string) {
	nbURI = pathToURI(path)
	var nbCells []NotebookCell
	var items []TextDocumentItem
	for i, cl := range notebookCells {
		u := cellURI(nbURI, i)
		cells = append(cells, u)
		nbCells = append(nbCells, NotebookCell{Kind: cl.kind, Document: u})
		lang := "python"
		if cl.kind == CellMarkup {
			lang = "markdown"
		}
		items = append(items, TextDocumentItem{URI: u, LanguageID: lang, Version: 1, Text: cl.text})
	}
	c.notify("notebookDocument/didOpen", DidOpenNotebookDocumentParams{
		NotebookDocument:  NotebookDocument{URI: nbURI, NotebookType: "jupyter-notebook", Version: 1, Cells: nbCells},
		CellTextDocuments: items,
	})
	return nbURI, cells
}

func TestNotebookCellsArePulledPerCell(t *testing.T) {
	dir := t.TempDir()
	c := newClient(t, clientOpts{root: dir, pull: true})
	nbURI, cells := openNotebook(c, filepath.Join(dir, "analysis.ipynb"))

	// The mutation is reported in the cell of the function, at the
	// right column after the magic line, with the shipping call (in
	// another cell) as related information.
	d1 := c.pullDiags(cells[1]).Items
	if len(d1) != 1 || d1[0].Code != "SPK101" {
		t.Fatalf("cell 2: %+v", d1)
	}
	if r := d1[0].Range; r.Start.Line != 2 || r.Start.Character != 4 {
		t.Fatalf("cell 2: SPK101 at %+v, want line 2 (0-based) column 4", r)
	}
	if rel := d1[0].RelatedInformation; len(rel) == 0 || rel[0].Location.URI != cells[3] || rel[0].Location.Range.Start.Line != 1 {
		t.Fatalf("cell 2: related information should point at line 1 of cell 4: %+v", rel)
	}
	d3 := c.pullDiags(cells[3]).Items
	if !slices.Equal(codes(d3), []string{"SPK201"}) || d3[0].Range.Start.Line != 3 {
		t.Fatalf("cell 4: %+v", d3)
	}
	for _, i := range []int{0, 2} {
		if d := c.pullDiags(cells[i]).Items; len(d) != 0 {
			t.Fatalf("cell %d: %+v", i+1, d)
		}
	}
	if d := c.pullDiags(nbURI).Items; len(d) != 0 {
		t.Fatalf("the notebook itself has no diagnostics (its cells do): %+v", d)
	}

	// The groupByKey fix and the noqa edit go to the cell.
	var actions []CodeAction
	c.call("textDocument/codeAction", CodeActionParams{TextDocument: TextDocumentIdentifier{URI: cells[3]}, Range: d3[0].Range}, &actions)
	var fix, noqa *CodeAction
	for i := range actions {
		switch {
		case strings.HasPrefix(actions[i].Title, "Replace"):
			fix = &actions[i]
		case strings.HasPrefix(actions[i].Title, "Disable SPK201"):
			noqa = &actions[i]
		}
	}
	if fix == nil || noqa == nil {
		t.Fatalf("actions: %+v", actions)
	}
	if e := noqa.Edit.Changes[cells[3]]; len(e) != 1 || e[0].Range.Start.Line != 3 || !strings.Contains(e[0].NewText, "noqa: SPK201") {
		t.Fatalf("noqa edit: %+v", noqa.Edit.Changes)
	}
	// The fix also adds `import operator` at the top of the first cell.
	if len(fix.Edit.Changes[cells[3]]) != 1 || len(fix.Edit.Changes[cells[0]]) != 1 || !strings.Contains(fix.Edit.Changes[cells[0]][0].NewText, "import operator") {
		t.Fatalf("fix edits: %+v", fix.Edit.Changes)
	}

	// Editing a cell: the fix applied by hand.
	c.notify("notebookDocument/didChange", map[string]any{
		"notebookDocument": VersionedTextDocumentIdentifier{URI: nbURI, Version: 2},
		"change": map[string]any{"cells": map[string]any{"textContent": []any{map[string]any{
			"document": VersionedTextDocumentIdentifier{URI: cells[3], Version: 2},
			"changes":  []TextDocumentContentChangeEvent{{Range: &Range{Position{3, 15}, Position{3, 42}}, Text: "reduceByKey(max)"}},
		}}}},
	})
	if d := c.pullDiags(cells[3]).Items; len(d) != 0 {
		t.Fatalf("cell 4 after the edit: %+v", d)
	}

	// Deleting the cell that ships keep: the mutation is no longer
	// reported; a new cell that ships it again brings it back.
	c.notify("notebookDocument/didChange", map[string]any{
		"notebookDocument": VersionedTextDocumentIdentifier{URI: nbURI, Version: 3},
		"change": map[string]any{"cells": map[string]any{"structure": map[string]any{
			"array":    NotebookCellArrayChange{Start: 3, DeleteCount: 1},
			"didClose": []TextDocumentIdentifier{{URI: cells[3]}},
		}}},
	})
	if d := c.pullDiags(cells[1]).Items; len(d) != 0 {
		t.Fatalf("cell 2 without the shipping cell: %+v", d)
	}
	newCell := cellURI(nbURI, 9)
	c.notify("notebookDocument/didChange", map[string]any{
		"notebookDocument": VersionedTextDocumentIdentifier{URI: nbURI, Version: 4},
		"change": map[string]any{"cells": map[string]any{"structure": map[string]any{
			"array":   NotebookCellArrayChange{Start: 1, Cells: []NotebookCell{{Kind: CellCode, Document: newCell}}},
			"didOpen": []TextDocumentItem{{URI: newCell, LanguageID: "python", Version: 1, Text: "spark.sparkContext.parallelize([1]).foreach(lambda x: keep(x))\n"}},
		}}},
	})
	// The new cell comes before the definition of keep: a notebook runs
	// top to bottom, but the module is checked as a whole, as a .ipynb
	// file is by `sparklint check`.
	if d := c.pullDiags(cells[1]).Items; len(d) != 1 || d[0].RelatedInformation[0].Location.URI != newCell {
		t.Fatalf("cell 2 after a shipping cell was added: %+v", d)
	}

	c.notify("notebookDocument/didClose", DidCloseNotebookDocumentParams{NotebookDocument: TextDocumentIdentifier{URI: nbURI},
		CellTextDocuments: []TextDocumentIdentifier{{URI: cells[0]}, {URI: newCell}, {URI: cells[1]}, {URI: cells[2]}}})
	if d := c.pullDiags(cells[1]).Items; len(d) != 0 {
		t.Fatalf("a closed notebook's cell: %+v", d)
	}
}

// TestNotebookCellsArePushedToPullClients: VS Code's client announces
// pull diagnostics but never pulls for notebook cells; the server pushes
// them.
func TestNotebookCellsArePushedToPullClients(t *testing.T) {
	dir := t.TempDir()
	c := newClient(t, clientOpts{root: dir, pull: true, server: Options{Debounce: time.Millisecond}})
	nbURI, cells := openNotebook(c, filepath.Join(dir, "analysis.ipynb"))
	if d := c.waitDiags(cells[3], hasCode("SPK201")); len(d) != 1 {
		t.Fatalf("cell 4: %+v", d)
	}
	// A cell deleted: its diagnostics are cleared.
	c.notify("notebookDocument/didChange", map[string]any{
		"notebookDocument": VersionedTextDocumentIdentifier{URI: nbURI, Version: 2},
		"change": map[string]any{"cells": map[string]any{"structure": map[string]any{
			"array":    NotebookCellArrayChange{Start: 3, DeleteCount: 1},
			"didClose": []TextDocumentIdentifier{{URI: cells[3]}},
		}}},
	})
	c.waitDiags(cells[3], func(d []Diagnostic) bool { return len(d) == 0 })
	c.waitDiags(cells[1], func(d []Diagnostic) bool { return len(d) == 0 }) // nothing ships keep any more
}

func TestNotebookCellsArePushedPerCell(t *testing.T) {
	dir := t.TempDir()
	c := newClient(t, clientOpts{root: dir, server: Options{Debounce: time.Millisecond}})
	nbURI, cells := openNotebook(c, filepath.Join(dir, "analysis.ipynb"))
	if d := c.waitDiags(cells[3], hasCode("SPK201")); len(d) != 1 {
		t.Fatalf("cell 4: %+v", d)
	}
	if d := c.waitDiags(cells[1], hasCode("SPK101")); len(d) != 1 {
		t.Fatalf("cell 2: %+v", d)
	}
	c.notify("notebookDocument/didClose", DidCloseNotebookDocumentParams{NotebookDocument: TextDocumentIdentifier{URI: nbURI}})
	c.waitDiags(cells[3], func(d []Diagnostic) bool { return len(d) == 0 })
}
