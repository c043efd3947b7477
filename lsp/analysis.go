package lsp

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"

	"go.lsp.dev/jsonrpc2"

	"github.com/sparklint/sparklint/checks"
	"github.com/sparklint/sparklint/lint"
	"github.com/sparklint/sparklint/pyparse"
)

// Analyses run one at a time on the worker goroutine: open documents
// first (in the order their debounce expired or a request asked), then,
// when none waits, one file of the workspace index at a time. Running
// them one at a time keeps each project's module table consistent and
// lets the worker free the previous parse of a document.

// maxIndexFiles bounds the background index.
const maxIndexFiles = 5000

func (s *Server) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// enqueue asks the worker to analyse d now.
func (s *Server) enqueue(d *document) {
	s.mu.Lock()
	if !containsDoc(s.pending, d) {
		s.pending = append(s.pending, d)
	}
	s.mu.Unlock()
	s.signal()
}

func containsDoc(ds []*document, d *document) bool {
	for _, x := range ds {
		if x == d {
			return true
		}
	}
	return false
}

// queueIndex queues every Python file of the workspace folders.
func (s *Server) queueIndex() {
	s.mu.Lock()
	folders := append([]string(nil), s.folders...)
	s.mu.Unlock()
	var files []string
	for _, f := range folders {
		sess := s.sessionFor(filepath.Join(f, "__init__.py"))
		if sess == nil {
			continue
		}
		files = append(files, sess.Files()...)
		if len(files) > maxIndexFiles {
			files = files[:maxIndexFiles]
			break
		}
	}
	// A closed file no longer indexed (excluded now, or gone) takes back
	// what it reported in other files.
	indexed := map[string]bool{}
	for _, f := range files {
		indexed[f] = true
	}
	s.mu.Lock()
	var gone []string
	for src := range s.external {
		if !indexed[src] && s.byPath[src] == nil {
			gone = append(gone, src)
			delete(s.indexDeps, src)
		}
	}
	s.mu.Unlock()
	for _, src := range gone {
		s.setExternal(src, nil)
	}
	s.queueFiles(files)
}

func (s *Server) queueFiles(files []string) {
	s.mu.Lock()
	for _, f := range files {
		if !s.indexed[f] {
			s.indexed[f] = true
			s.indexQueue = append(s.indexQueue, f)
		}
	}
	s.mu.Unlock()
	s.signal()
}

func (s *Server) worker() {
	for {
		s.mu.Lock()
		var d *document
		var file string
		switch {
		case len(s.pending) > 0:
			d = s.pending[0]
			s.pending = s.pending[1:]
		case len(s.indexQueue) > 0:
			file = s.indexQueue[0]
			s.indexQueue = s.indexQueue[1:]
			delete(s.indexed, file)
		}
		s.mu.Unlock()
		switch {
		case d != nil:
			s.analyze(d)
		case file != "":
			s.indexFile(file)
		default:
			select {
			case <-s.wake:
			case <-s.done:
				return
			}
		}
		select {
		case <-s.done:
			return
		default:
		}
	}
}

// analyze parses and checks d's current text (unless its last analysis
// is of that text) and publishes the result. A result overtaken by a
// change while it was computed is dropped: the change has scheduled the
// next analysis.
func (s *Server) analyze(d *document) {
	var (
		gen      uint64
		version  int32
		text     []byte
		m        *pyparse.Module
		perr     error
		sess     *lint.Session
		code     []pyparse.CodeCell
		uris     []string
		excluded bool
	)
	defer func() {
		if r := recover(); r != nil {
			s.logf("internal error analysing %s: %v\n%s", d.path, r, debug.Stack())
			// The current text counts as analysed (without findings), so
			// that the requests waiting for it do not ask again forever.
			d.mu.Lock()
			g, v, t := d.gen, d.version, d.text
			d.mu.Unlock()
			s.store(d, &result{gen: g, version: v, text: t})
		}
	}()
	if d.inNotebook != nil {
		return // cells are analysed with their notebook
	}
	runHook(&testHookAnalyze, d.path)
	var proj *lint.Project
	skip, stop := func() (skip, stop bool) {
		d.mu.Lock()
		defer d.mu.Unlock()
		if d.closed || (d.result != nil && d.result.gen == d.gen) {
			return false, true
		}
		gen, version, text = d.gen, d.version, d.text
		if d.timer != nil {
			d.timer.Stop()
		}
		if d.skip {
			return true, false
		}
		if sess = s.sessionFor(d.path); sess == nil {
			return true, false
		}
		if d.excludedBy != sess {
			d.excludedBy, d.excluded = sess, sess.Excluded(d.path)
		}
		if d.excluded {
			excluded = true
			return true, false
		}
		proj = sess.Project()
		if d.nb != nil {
			code, uris = d.nb.codeCells()
			m, perr = pyparse.ParseCells(proj.Fset, d.path, code)
			if m != nil {
				text = m.Src
			}
			return false, false
		}
		var tree *pyparse.Tree
		if len(text) <= 10<<20 {
			m, tree, perr = pyparse.ParseIncremental(proj.Fset, d.path, text, d.tree)
		} else {
			perr = fmt.Errorf("file over 10 MB: not checked")
		}
		d.tree.Close()
		d.tree = tree // nil after a failure: the next parse is a full one
		return false, false
	}()
	if stop {
		return
	}
	if skip {
		if excluded {
			// What it reported in other files goes with it.
			s.setExternal(d.path, nil)
		}
		s.store(d, &result{gen: gen, version: version, text: text, excluded: excluded})
		return
	}

	if old := d.module; old != nil && old.File != nil && d.moduleFset != nil {
		d.moduleFset.RemoveFile(old.File)
	}
	d.module, d.moduleFset = m, proj.Fset
	if m == nil {
		s.logf("%s: %v", d.path, perr)
		s.store(d, &result{gen: gen, version: version, text: text})
		return
	}
	s.registerOpenDocs(sess, d)
	d.mu.Lock()
	d.registeredIn = proj
	d.mu.Unlock()
	c, cfgErr := sess.CheckerFor(d.path)
	if cfgErr != nil {
		s.logf("configuration: %v", cfgErr)
	}
	var res lint.FileResult
	// A notebook may use the predefined spark without naming pyspark:
	// always checked.
	if d.nb != nil || c.Wanted(d.path, text) {
		res = c.CheckModule(d.path, text, m)
	} else {
		proj.Replace(d.path, text, m)
	}
	for _, e := range res.Errors {
		s.logf("%s: %s", e.Path, e.Message)
	}
	var own []lint.Finding
	foreign := map[string][]lint.Finding{}
	for _, f := range sess.Filter(res.Findings) {
		if f.Path == d.path {
			own = append(own, f)
		} else {
			foreign[f.Path] = append(foreign[f.Path], f)
		}
	}
	stored := s.store(d, &result{gen: gen, version: version, module: m, text: text, findings: own, deps: res.Deps, cellURIs: uris, code: code})
	if stored {
		s.setExternal(d.path, foreign)
	}
}

// registerOpenDocs makes the open documents' texts the modules of their
// files in sess's project (after a new session, or a Forget), so that a
// document sees the unsaved text of the documents it imports.
func (s *Server) registerOpenDocs(sess *lint.Session, except *document) {
	proj := sess.Project()
	s.mu.Lock()
	var docs []*document
	for _, d := range s.docs {
		if d != except && !d.skip && d.nb == nil {
			docs = append(docs, d)
		}
	}
	s.mu.Unlock()
	for _, d := range docs {
		d.mu.Lock()
		text, done := d.text, d.registeredIn == proj || d.closed
		d.mu.Unlock()
		// Every open document of the project, whichever session (folder)
		// it is checked in: folders can share a project root.
		if done || !within(d.path, sess.Root()) {
			continue
		}
		if m, err := pyparse.Parse(proj.Fset, d.path, text); m != nil && err == nil {
			proj.Replace(d.path, text, m)
		}
		d.mu.Lock()
		d.registeredIn = proj
		d.mu.Unlock()
	}
}

// within reports whether path is root or inside it.
func within(path, root string) bool {
	return path == root || strings.HasPrefix(path, root+string(filepath.Separator))
}

// store records r as d's result unless d changed since (or closed), wakes
// the requests waiting for it and, without pull diagnostics or for a
// notebook, publishes it.
func (s *Server) store(d *document, r *result) bool {
	d.mu.Lock()
	if d.closed || r.gen != d.gen {
		d.mu.Unlock()
		return false
	}
	s.mu.Lock()
	pull := s.pull
	s.mu.Unlock()
	d.result = r
	close(d.fresh)
	d.fresh = make(chan struct{})
	d.mu.Unlock()
	// Notebook cells are pushed to pull clients too: VS Code's client
	// (vscode-languageclient 9) pulls only for documents in text editor
	// tabs, never for the cells of a notebook tab.
	if !pull || d.nb != nil {
		s.publish(d, r)
	}
	return true
}

// publish pushes d's diagnostics, unless they are those it pushed last
// (typing inside a line usually changes no diagnostic: the client would
// decode and redraw hundreds for nothing).
func (s *Server) publish(d *document, r *result) {
	if d.nb != nil {
		if r.module != nil {
			s.publishCells(d.nb, r)
		}
		return
	}
	v := r.version
	diags := s.diagnostics(d, r)
	d.mu.Lock()
	same := d.published != nil && equalDiagnostics(*d.published, diags)
	if !same {
		d.published = &diags
	}
	d.mu.Unlock()
	if !same {
		s.notify("textDocument/publishDiagnostics", PublishDiagnosticsParams{URI: d.uri, Version: &v, Diagnostics: diags})
	}
}

// setExternal records the findings that checking source found in other
// files, and updates the open documents among those.
func (s *Server) setExternal(source string, found map[string][]lint.Finding) {
	s.mu.Lock()
	old := s.external[source]
	if len(old) == 0 && len(found) == 0 {
		s.mu.Unlock()
		return
	}
	touched := map[string]bool{}
	for p := range old {
		touched[p] = true
	}
	for p := range found {
		touched[p] = true
	}
	if len(found) == 0 {
		delete(s.external, source)
	} else {
		s.external[source] = found
	}
	var docs []*document
	for p := range touched {
		if d := s.byPath[p]; d != nil {
			docs = append(docs, d)
		}
	}
	pull := s.pull
	s.mu.Unlock()
	if len(docs) == 0 {
		return
	}
	if pull {
		s.refresh()
		docs = slices.DeleteFunc(docs, func(d *document) bool { return d.nb == nil })
	}
	for _, d := range docs {
		d.mu.Lock()
		r := d.result
		d.mu.Unlock()
		if r != nil {
			s.publish(d, r)
		}
	}
}

// refresh asks a pull client to pull the diagnostics again (the findings
// of a document changed without an edit of it).
func (s *Server) refresh() {
	s.mu.Lock()
	if !s.caps.Workspace.Diagnostics.RefreshSupport {
		s.mu.Unlock()
		return
	}
	if s.refreshing {
		// One is in flight: the client may have pulled already; ask
		// again when it answers.
		s.refreshAgain = true
		s.mu.Unlock()
		return
	}
	s.refreshing = true
	s.mu.Unlock()
	go func() {
		for {
			_, _ = s.conn.Call(s.ctx, "workspace/diagnostic/refresh", nil, nil)
			s.mu.Lock()
			again := s.refreshAgain && s.ctx.Err() == nil
			s.refreshAgain = false
			s.refreshing = again
			s.mu.Unlock()
			if !again {
				return
			}
		}
	}()
}

// indexFile checks a workspace file that is not open, for the findings it
// reports in other files (a helper module shipped from it).
func (s *Server) indexFile(path string) {
	defer s.recoverLog("indexing " + path)
	s.mu.Lock()
	open := s.byPath[path] != nil
	s.mu.Unlock()
	if open {
		return
	}
	sess := s.sessionFor(path)
	if sess == nil {
		return
	}
	src, err := os.ReadFile(path)
	if err != nil {
		s.mu.Lock()
		delete(s.indexDeps, path)
		s.mu.Unlock()
		s.setExternal(path, nil)
		return
	}
	c, _ := sess.CheckerFor(path)
	res := c.CheckFile(path, src)
	foreign := map[string][]lint.Finding{}
	for _, f := range sess.Filter(res.Findings) {
		if f.Path != path {
			foreign[f.Path] = append(foreign[f.Path], f)
		}
	}
	s.mu.Lock()
	s.indexDeps[path] = res.Deps
	s.mu.Unlock()
	s.setExternal(path, foreign)
}

// waitFresh returns the analysis of d's current text, asking for it at
// once (no debounce) and waiting for it; a cancelled request gets
// RequestCancelled.
func (s *Server) waitFresh(ctx context.Context, d *document) (*result, error) {
	for {
		d.mu.Lock()
		if d.closed {
			d.mu.Unlock()
			return nil, nil
		}
		r, ch := d.result, d.fresh
		if r != nil && r.gen == d.gen {
			d.mu.Unlock()
			return r, nil
		}
		d.mu.Unlock()
		s.enqueue(d)
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, jsonrpc2.NewError(codeRequestCancelled, "request cancelled")
		case <-s.done:
			return nil, jsonrpc2.NewError(codeRequestCancelled, "server stopping")
		}
	}
}

func (s *Server) doc(uri string) *document {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.docs[uri]
}

func (s *Server) pullDiagnostics(ctx context.Context, p DocumentDiagnosticParams) (any, error) {
	d := s.doc(p.TextDocument.URI)
	if d == nil || d.nb != nil {
		return DocumentDiagnosticReport{Kind: "full", Items: []Diagnostic{}}, nil
	}
	analysed := d
	if d.inNotebook != nil {
		analysed = d.inNotebook.doc
	}
	r, err := s.waitFresh(ctx, analysed)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return DocumentDiagnosticReport{Kind: "full", Items: []Diagnostic{}}, nil
	}
	// The result id names a set of diagnostics, not an analysis: when an
	// edit changed none (typing inside a line), the report is
	// "unchanged" and the client keeps what it shows.
	var diags []Diagnostic
	if d.inNotebook != nil {
		diags = []Diagnostic{}
		if i := slices.Index(r.cellURIs, d.uri); i >= 0 && r.module != nil {
			diags = s.cellDiagnostics(r, i)
		}
	} else {
		diags = s.diagnostics(d, r)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if last := d.reported; last != nil && last.id == p.PreviousResultID && equalDiagnostics(last.diags, diags) {
		return DocumentDiagnosticReport{Kind: "unchanged", ResultID: last.id}, nil
	}
	s.mu.Lock()
	s.seq++
	id := fmt.Sprintf("r%d", s.seq)
	s.mu.Unlock()
	d.reported = &report{id: id, diags: diags}
	return DocumentDiagnosticReport{Kind: "full", ResultID: id, Items: diags}, nil
}

// equalDiagnostics reports whether a and b are the same diagnostics in
// the same order.
func equalDiagnostics(a, b []Diagnostic) bool {
	return slices.EqualFunc(a, b, func(x, y Diagnostic) bool {
		return x.Range == y.Range && x.Severity == y.Severity && x.Code == y.Code && x.Source == y.Source &&
			x.Message == y.Message && bytes.Equal(x.Data, y.Data) &&
			(x.CodeDescription == nil) == (y.CodeDescription == nil) &&
			(x.CodeDescription == nil || *x.CodeDescription == *y.CodeDescription) &&
			slices.Equal(x.RelatedInformation, y.RelatedInformation)
	})
}

// diagnostics are d's findings: its own analysis's, and those other files'
// analyses found in it.
func (s *Server) diagnostics(d *document, r *result) []Diagnostic {
	if r.excluded {
		return []Diagnostic{} // not even what other files found in it
	}
	out := make([]Diagnostic, 0, len(r.findings))
	for i := range r.findings {
		out = append(out, s.toDiagnostic(r, &r.findings[i], true))
	}
	s.mu.Lock()
	var ext []lint.Finding
	for src, found := range s.external {
		if src != d.path {
			ext = append(ext, found[d.path]...)
		}
	}
	s.mu.Unlock()
	seen := map[string]bool{}
	for _, f := range r.findings {
		seen[findingKey(&f)] = true
	}
	for i := range ext {
		if k := findingKey(&ext[i]); !seen[k] {
			seen[k] = true
			out = append(out, s.toDiagnostic(r, &ext[i], false))
		}
	}
	return out
}

func findingKey(f *lint.Finding) string {
	return fmt.Sprintf("%s:%d:%d:%d:%d", f.Code, f.Location.Row, f.Location.Column, f.End.Row, f.End.Column)
}

// toDiagnostic converts a finding located in r's document. own findings
// come from r's analysis: their byte offsets index r.text. Others (found
// by checking another file) are placed by row and character column.
func (s *Server) toDiagnostic(r *result, f *lint.Finding, own bool) Diagnostic {
	var rng Range
	if own && r.module != nil {
		rng = Range{utf16Pos(r.module, f.Offset), utf16Pos(r.module, f.EndOffset)}
	} else {
		rng = Range{charPos(r.text, r.linesOf(), f.Location), charPos(r.text, r.linesOf(), f.End)}
	}
	dg := s.describe(f)
	dg.Range = rng
	for _, rel := range f.Related {
		loc := Location{URI: s.uriOf(rel.Path)}
		if rel.Path == f.Path {
			loc.Range = Range{charPos(r.text, r.linesOf(), rel.Location), charPos(r.text, r.linesOf(), rel.End)}
		} else {
			loc = s.relatedLocation(rel)
		}
		dg.RelatedInformation = append(dg.RelatedInformation, DiagnosticRelatedInformation{Location: loc, Message: rel.Message})
	}
	return dg
}

// describe is the diagnostic of a finding, without its range and related
// locations.
func (s *Server) describe(f *lint.Finding) Diagnostic {
	dg := Diagnostic{Severity: SeverityWarning, Code: f.Code, Source: "sparklint", Message: f.Message}
	if f.Code == checks.SyntaxError.Code {
		dg.Severity = SeverityError
	}
	url := f.URL // the rule's, set by the checker
	if url == "" {
		if rule := checks.ByCode(f.Code); rule != nil {
			url = rule.URL()
		}
	}
	if url != "" {
		dg.CodeDescription = &CodeDescription{Href: url}
	}
	return dg
}

func utf16Pos(m *pyparse.Module, off int) Position {
	off = max(0, min(off, len(m.Src)))
	line, col := m.RowColUTF16(uint32(off))
	return Position{line, col}
}

// charPos converts a 1-based row and character column to an LSP
// position in text, whose line starts are lines.
func charPos(text []byte, lines []int, p lint.Position) Position {
	row := p.Row - 1
	if row < 0 {
		return Position{}
	}
	if row >= len(lines) {
		return Position{Line: row, Character: max(p.Column-1, 0)}
	}
	start, end := lineContent(text, lines, row)
	return Position{Line: row, Character: charToUTF16(string(text[start:end]), p.Column)}
}

// linesOf returns the line starts of r's text, computed once.
func (r *result) linesOf() []int {
	r.linesOnce.Do(func() { r.lines = lineStarts(r.text) })
	return r.lines
}

// textOf returns the text of path: an open document's, else the file's.
func (s *Server) textOf(path string) []byte {
	s.mu.Lock()
	d := s.byPath[path]
	s.mu.Unlock()
	if d != nil {
		d.mu.Lock()
		defer d.mu.Unlock()
		return d.text
	}
	src, _ := os.ReadFile(path)
	return src
}

// uriOf returns the URI of path: an open document's as the client named
// it, else a file URI.
func (s *Server) uriOf(path string) string {
	s.mu.Lock()
	d := s.byPath[path]
	s.mu.Unlock()
	if d != nil {
		return d.uri
	}
	if !filepath.IsAbs(path) {
		if abs, err := filepath.Abs(path); err == nil {
			path = abs
		}
	}
	return pathToURI(path)
}
