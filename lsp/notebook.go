package lsp

import (
	"slices"
	"sort"
	"time"

	"github.com/sparklint/sparklint/lint"
	"github.com/sparklint/sparklint/pyparse"
)

// Notebooks (LSP 3.17 notebook document synchronisation): the client
// sends a notebook and its cells' texts; each cell is a text document of
// its own (vscode-notebook-cell: URIs in VS Code), and diagnostics and
// code actions are given per cell. Cell diagnostics are pushed
// (publishDiagnostics) to every client, and also answered when pulled:
// VS Code's client does not pull for cells. The server checks the
// code cells together, as `sparklint check` checks a .ipynb file: one
// module of the cells joined (pyparse.JoinCells), where a cell sees what
// the cells above it defined.

// notebook is an open notebook document. Its cells are documents that
// are not analysed themselves (skip); doc is: the notebook's path, the
// joined code cells as its module.
type notebook struct {
	uri string
	doc *document
	// cells are all the cells in order (doc.mu guards the list; each
	// cell's mu its text).
	cells []*document
}

// newCell makes the document of a cell of nb.
func newCell(nb *notebook, item TextDocumentItem, kind int) *document {
	c := newDocument(item.URI, nb.doc.path, item.Version, []byte(item.Text))
	c.skip, c.inNotebook, c.cellKind, c.languageID = true, nb, kind, item.LanguageID
	return c
}

// isCode reports whether a cell is Python code sparklint checks.
func (d *document) isCode() bool {
	return d.cellKind == CellCode && (d.languageID == "" || d.languageID == "python")
}

func (s *Server) didOpenNotebook(p DidOpenNotebookDocumentParams) {
	nd := p.NotebookDocument
	path := uriToPath(nd.URI)
	nb := &notebook{uri: nd.URI}
	nb.doc = newDocument(nd.URI, path, nd.Version, nil)
	nb.doc.nb = nb
	items := map[string]TextDocumentItem{}
	for _, it := range p.CellTextDocuments {
		items[it.URI] = it
	}
	for _, c := range nd.Cells {
		it, ok := items[c.Document]
		if !ok {
			it = TextDocumentItem{URI: c.Document}
		}
		nb.cells = append(nb.cells, newCell(nb, it, c.Kind))
	}
	s.mu.Lock()
	var old []*document
	for _, d := range append([]*document{nb.doc}, nb.cells...) {
		if o := s.docs[d.uri]; o != nil {
			s.unlinkLocked(o)
			old = append(old, o)
		}
		s.docs[d.uri] = d
	}
	s.byPath[path] = nb.doc
	s.mu.Unlock()
	for _, o := range old {
		o.close()
	}
	s.enqueue(nb.doc)
}

func (s *Server) didChangeNotebook(p DidChangeNotebookDocumentParams) {
	d := s.doc(p.NotebookDocument.URI)
	if d == nil || d.nb == nil {
		s.logf("notebookDocument/didChange for a notebook that is not open: %s", p.NotebookDocument.URI)
		return
	}
	nb := d.nb
	var opened, closed []*document
	clamped := false
	d.mu.Lock()
	if cells := p.Change.Cells; cells != nil {
		if st := cells.Structure; st != nil {
			items := map[string]TextDocumentItem{}
			for _, it := range st.DidOpen {
				items[it.URI] = it
			}
			a := st.Array
			start := max(0, min(a.Start, len(nb.cells)))
			end := max(start, min(start+a.DeleteCount, len(nb.cells)))
			closed = append(closed, nb.cells[start:end]...)
			var added []*document
			for _, c := range a.Cells {
				it, ok := items[c.Document]
				if !ok {
					// A cell moved: the client reuses its document.
					for _, o := range closed {
						if o.uri == c.Document {
							o.mu.Lock()
							it = TextDocumentItem{URI: o.uri, LanguageID: o.languageID, Version: o.version, Text: string(o.text)}
							o.mu.Unlock()
							break
						}
					}
				}
				if it.URI == "" {
					it = TextDocumentItem{URI: c.Document}
				}
				added = append(added, newCell(nb, it, c.Kind))
			}
			nb.cells = append(nb.cells[:start:start], append(added, nb.cells[end:]...)...)
			opened = added
		}
		for _, data := range cells.Data {
			for _, c := range nb.cells {
				if c.uri == data.Document {
					c.cellKind = data.Kind
				}
			}
		}
		for _, tc := range cells.TextContent {
			for _, c := range nb.cells {
				if c.uri != tc.Document.URI {
					continue
				}
				c.mu.Lock()
				for _, ch := range tc.Changes {
					if c.apply(ch) {
						clamped = true
					}
				}
				c.version = tc.Document.Version
				c.mu.Unlock()
			}
		}
	}
	d.version = p.NotebookDocument.Version
	d.gen++
	if d.timer == nil {
		d.timer = time.AfterFunc(s.opts.Debounce, func() { s.enqueue(d) })
	} else {
		d.timer.Reset(s.opts.Debounce)
	}
	s.mu.Lock()
	for _, c := range closed {
		if s.docs[c.uri] == c {
			delete(s.docs, c.uri)
		}
	}
	for _, c := range opened {
		s.docs[c.uri] = c
	}
	s.mu.Unlock()
	d.mu.Unlock()
	for _, c := range closed {
		c.close()
		moved := slices.ContainsFunc(opened, func(o *document) bool { return o.uri == c.uri })
		if !moved { // cells are pushed to every client (see store)
			s.notify("textDocument/publishDiagnostics", PublishDiagnosticsParams{URI: c.uri, Diagnostics: []Diagnostic{}})
		}
	}
	if clamped {
		s.logf("%s: a change's range was outside its cell; clamped to it", p.NotebookDocument.URI)
	}
}

func (s *Server) didCloseNotebook(p DidCloseNotebookDocumentParams) {
	d := s.doc(p.NotebookDocument.URI)
	if d == nil || d.nb == nil {
		return
	}
	d.mu.Lock()
	cells := append([]*document(nil), d.nb.cells...)
	d.mu.Unlock()
	s.mu.Lock()
	s.unlinkLocked(d)
	for _, c := range cells {
		if s.docs[c.uri] == c {
			delete(s.docs, c.uri)
		}
	}
	sessions := s.allSessions()
	s.mu.Unlock()
	d.close()
	for _, c := range cells {
		c.close()
		// Cells are pushed to every client (see store): cleared.
		s.notify("textDocument/publishDiagnostics", PublishDiagnosticsParams{URI: c.uri, Diagnostics: []Diagnostic{}})
	}
	// What the notebook's code reported in other files (a helper it
	// ships) goes with it: the workspace index does not read notebooks.
	s.setExternal(d.path, nil)
	for _, sess := range sessions {
		sess.Project().Forget(d.path)
	}
	s.dependencyChanged(d.path)
}

// codeCells returns the code cells of nb (d.mu of its document held) and
// the URI of every cell, by index.
func (nb *notebook) codeCells() ([]pyparse.CodeCell, []string) {
	var code []pyparse.CodeCell
	uris := make([]string, len(nb.cells))
	for i, c := range nb.cells {
		uris[i] = c.uri
		if !c.isCode() {
			continue
		}
		c.mu.Lock()
		code = append(code, pyparse.CodeCell{Index: i, Text: string(c.text)})
		c.mu.Unlock()
	}
	return code, uris
}

// cellAt returns which code cell of r's notebook holds the module
// position off, and the position in that cell.
func (r *result) cellAt(off int) (cell int, p Position) {
	m := r.module
	off = max(0, min(off, len(m.Src)))
	line, col := m.RowColUTF16(uint32(off))
	i := sort.Search(len(m.Cells), func(i int) bool { return m.Cells[i].Line > line }) - 1
	if i < 0 {
		return -1, Position{}
	}
	c := m.Cells[i]
	rel := line - c.Line
	// A commented-out line (a magic) has one character more in the module.
	if col > 0 && slices.Contains(c.Commented, rel) {
		col--
	}
	return c.Index, Position{rel, col}
}

// cellText returns the text of the cell with index i in r's notebook.
func (r *result) cellText(i int) []byte {
	for _, c := range r.code {
		if c.Index == i {
			return []byte(c.Text)
		}
	}
	return nil
}

// cellDiagnostics are the diagnostics of the cell with index cell of r's
// notebook.
func (s *Server) cellDiagnostics(r *result, cell int) []Diagnostic {
	out := []Diagnostic{}
	for i := range r.findings {
		f := &r.findings[i]
		if f.Cell-1 != cell {
			continue
		}
		if dg, ok := s.cellDiagnostic(r, f); ok {
			out = append(out, dg)
		}
	}
	return out
}

// cellDiagnostic converts a finding in a notebook cell.
func (s *Server) cellDiagnostic(r *result, f *lint.Finding) (Diagnostic, bool) {
	c1, start := r.cellAt(f.Offset)
	c2, end := r.cellAt(f.EndOffset)
	if c1 < 0 || c1 != f.Cell-1 {
		return Diagnostic{}, false
	}
	if c2 != c1 { // ends past its cell: at the cell's end
		text := r.cellText(c1)
		lines := lineStarts(text)
		end = Position{len(lines) - 1, utf16Len(text[lines[len(lines)-1]:])}
	}
	dg := s.describe(f)
	dg.Range = Range{start, end}
	for _, rel := range f.Related {
		loc, ok := r.cellLocation(rel)
		if rel.Path != f.Path || !ok {
			loc = s.relatedLocation(rel)
		}
		dg.RelatedInformation = append(dg.RelatedInformation, DiagnosticRelatedInformation{Location: loc, Message: rel.Message})
	}
	return dg, true
}

// relatedLocation locates a related location in another file: an open
// document's text (a notebook's cell), else the file's.
func (s *Server) relatedLocation(rel lint.Related) Location {
	s.mu.Lock()
	d := s.byPath[rel.Path]
	s.mu.Unlock()
	if d != nil && d.nb != nil && rel.Cell > 0 {
		d.mu.Lock()
		r := d.result
		d.mu.Unlock()
		if r != nil {
			if loc, ok := r.cellLocation(rel); ok {
				return loc
			}
		}
	}
	return Location{URI: s.uriOf(rel.Path), Range: relRange(s.textOf(rel.Path), rel)}
}

// cellLocation locates rel in a cell of r's notebook; false when rel has
// no cell of it.
func (r *result) cellLocation(rel lint.Related) (Location, bool) {
	if rel.Cell <= 0 || rel.Cell-1 >= len(r.cellURIs) {
		return Location{}, false
	}
	return Location{URI: r.cellURIs[rel.Cell-1], Range: relRange(r.cellText(rel.Cell-1), rel)}, true
}

// relRange is the range of rel in text.
func relRange(text []byte, rel lint.Related) Range {
	lines := lineStarts(text)
	return Range{charPos(text, lines, rel.Location), charPos(text, lines, rel.End)}
}

// cellEdits maps edits located by offset in r's notebook module to the
// cells: false when an edit spans two cells.
func (r *result) cellEdits(edits []lint.Edit) (map[string][]TextEdit, bool) {
	out := map[string][]TextEdit{}
	for _, e := range edits {
		c1, start := r.cellAt(e.Offset)
		c2, end := r.cellAt(e.EndOffset)
		if c1 < 0 || c1 != c2 || c1 >= len(r.cellURIs) {
			return nil, false
		}
		uri := r.cellURIs[c1]
		out[uri] = append(out[uri], TextEdit{Range: Range{start, end}, NewText: e.Content})
	}
	return out, true
}

// moduleRow is the 1-based row in r's notebook module of row cellRow of
// the cell with index cell.
func (r *result) moduleRow(cell, cellRow int) int {
	for _, c := range r.module.Cells {
		if c.Index == cell {
			return c.Line + cellRow
		}
	}
	return cellRow
}

// publishCells pushes the diagnostics of every cell of nb's last result.
func (s *Server) publishCells(nb *notebook, r *result) {
	nb.doc.mu.Lock()
	cells := append([]*document(nil), nb.cells...)
	nb.doc.mu.Unlock()
	for _, c := range cells {
		idx := slices.Index(r.cellURIs, c.uri)
		diags := []Diagnostic{}
		if idx >= 0 {
			diags = s.cellDiagnostics(r, idx)
		}
		// Sent with the cell's lock held: a cell deleted (or its notebook
		// closed) meanwhile is closed first and cleared after, never
		// published over.
		c.mu.Lock()
		if !c.closed && (c.published == nil || !equalDiagnostics(*c.published, diags)) {
			c.published = &diags
			v := c.version
			s.notify("textDocument/publishDiagnostics", PublishDiagnosticsParams{URI: c.uri, Version: &v, Diagnostics: diags})
		}
		c.mu.Unlock()
	}
}
