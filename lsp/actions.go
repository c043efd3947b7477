package lsp

import (
	"context"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/sparklint/sparklint/checks"
	"github.com/sparklint/sparklint/lint"
)

// codeActions offers, for the findings in the requested range: the rule's
// fix (preferred when safe), "Disable SPKnnn for this line"; and, for the
// document, source.fixAll.sparklint with every safe fix.
func (s *Server) codeActions(ctx context.Context, p CodeActionParams) (any, error) {
	out := []CodeAction{}
	d := s.doc(p.TextDocument.URI)
	if d == nil || d.nb != nil {
		return out, nil
	}
	if d.inNotebook != nil {
		return s.cellCodeActions(ctx, d, p)
	}
	r, err := s.waitFresh(ctx, d)
	if err != nil || r == nil || r.module == nil {
		return out, err
	}
	wants := wantsKind(p.Context.Only)
	if wants(KindQuickFix) {
		for i := range r.findings {
			f := &r.findings[i]
			dg := s.toDiagnostic(r, f, true)
			if !overlaps(dg.Range, p.Range) {
				continue
			}
			if f.Fix != nil && len(f.Fix.Edits) > 0 {
				out = append(out, fixAction(f, dg, map[string][]TextEdit{d.uri: textEdits(r, f.Fix.Edits)}))
			}
			if e, ok := lint.NoqaEdit(r.module, f.NoqaRow, f.Code); ok {
				out = append(out, noqaAction(f, dg, map[string][]TextEdit{d.uri: textEdits(r, []lint.Edit{e})}))
			}
		}
	}
	if wants(KindFixAll) {
		if edits := safeFixes(r.findings); len(edits) > 0 {
			out = append(out, fixAllAction(map[string][]TextEdit{d.uri: textEdits(r, edits)}))
		}
	}
	return out, nil
}

// fixAction is the quick fix of finding f (diagnostic dg), making changes.
func fixAction(f *lint.Finding, dg Diagnostic, changes map[string][]TextEdit) CodeAction {
	title := f.Fix.Message
	if title == "" {
		title = "Fix " + f.Code
	}
	safe := f.Fix.Applicability == "safe"
	if !safe {
		title += " (unsafe)"
	}
	return CodeAction{Title: title, Kind: KindQuickFix, Diagnostics: []Diagnostic{dg}, IsPreferred: safe, Edit: &WorkspaceEdit{Changes: changes}}
}

// noqaAction is "Disable SPKnnn for this line" for finding f.
func noqaAction(f *lint.Finding, dg Diagnostic, changes map[string][]TextEdit) CodeAction {
	return CodeAction{Title: "Disable " + f.Code + " for this line", Kind: KindQuickFix, Diagnostics: []Diagnostic{dg}, Edit: &WorkspaceEdit{Changes: changes}}
}

// fixAllAction is source.fixAll.sparklint, making changes.
func fixAllAction(changes map[string][]TextEdit) CodeAction {
	return CodeAction{Title: "sparklint: fix all safely fixable problems", Kind: KindFixAll, Edit: &WorkspaceEdit{Changes: changes}}
}

// wantsKind says whether a code action kind is among only (all when
// empty), a kind including its sub-kinds.
func wantsKind(only []string) func(kind string) bool {
	return func(kind string) bool {
		if len(only) == 0 {
			return true
		}
		for _, o := range only {
			if kind == o || strings.HasPrefix(kind, o+".") {
				return true
			}
		}
		return false
	}
}

// cellCodeActions are codeActions for a cell of a notebook: the fixes and
// noqa edits of its findings, and fix-all for the whole notebook, mapped
// from the notebook's module to the cells (a fix that would span two
// cells is not offered).
func (s *Server) cellCodeActions(ctx context.Context, cell *document, p CodeActionParams) (any, error) {
	out := []CodeAction{}
	r, err := s.waitFresh(ctx, cell.inNotebook.doc)
	if err != nil || r == nil || r.module == nil {
		return out, err
	}
	idx := slices.Index(r.cellURIs, cell.uri)
	if idx < 0 {
		return out, nil
	}
	wants := wantsKind(p.Context.Only)
	if wants(KindQuickFix) {
		for i := range r.findings {
			f := &r.findings[i]
			if f.Cell-1 != idx {
				continue
			}
			dg, ok := s.cellDiagnostic(r, f)
			if !ok || !overlaps(dg.Range, p.Range) {
				continue
			}
			if f.Fix != nil && len(f.Fix.Edits) > 0 {
				if changes, ok := r.cellEdits(f.Fix.Edits); ok {
					out = append(out, fixAction(f, dg, changes))
				}
			}
			if e, ok := lint.NoqaEdit(r.module, r.moduleRow(idx, f.NoqaRow), f.Code); ok {
				if changes, ok := r.cellEdits([]lint.Edit{e}); ok {
					out = append(out, noqaAction(f, dg, changes))
				}
			}
		}
	}
	if wants(KindFixAll) {
		var fs []lint.Finding
		for _, f := range r.findings {
			if f.Fix != nil {
				if _, ok := r.cellEdits(f.Fix.Edits); ok {
					fs = append(fs, f)
				}
			}
		}
		if edits := safeFixes(fs); len(edits) > 0 {
			if changes, ok := r.cellEdits(edits); ok {
				out = append(out, fixAllAction(changes))
			}
		}
	}
	return out, nil
}

// safeFixes returns the edits of the safe fixes, a fix overlapping an
// earlier one (by position) left out, as one round of `check --fix`.
func safeFixes(fs []lint.Finding) []lint.Edit {
	var fixes []*lint.Fix
	for i := range fs {
		if f := fs[i].Fix; f != nil && f.Applicability == "safe" && len(f.Edits) > 0 {
			fixes = append(fixes, f)
		}
	}
	span := func(f *lint.Fix) (int, int) {
		lo, hi := f.Edits[0].Offset, f.Edits[0].EndOffset
		for _, e := range f.Edits {
			lo, hi = min(lo, e.Offset), max(hi, e.EndOffset)
		}
		return lo, hi
	}
	sort.SliceStable(fixes, func(i, j int) bool {
		a, _ := span(fixes[i])
		b, _ := span(fixes[j])
		return a < b
	})
	var out []lint.Edit
	end := -1
	for _, f := range fixes {
		lo, hi := span(f)
		if lo < end {
			continue
		}
		out = append(out, f.Edits...)
		end = hi
	}
	return out
}

func textEdits(r *result, edits []lint.Edit) []TextEdit {
	out := make([]TextEdit, 0, len(edits))
	for _, e := range edits {
		out = append(out, TextEdit{Range: Range{utf16Pos(r.module, e.Offset), utf16Pos(r.module, e.EndOffset)}, NewText: e.Content})
	}
	return out
}

func before(a, b Position) bool {
	return a.Line < b.Line || a.Line == b.Line && a.Character < b.Character
}

// overlaps reports whether ranges a and b meet (touching counts, so that
// a cursor at either end of a diagnostic gets its actions).
func overlaps(a, b Range) bool {
	return !before(a.End, b.Start) && !before(b.End, a.Start)
}

var (
	noqaDirective = regexp.MustCompile(`#\s*(?:sparklint\s*:\s*)?noqa\s*:\s*`)
	noqaCode      = regexp.MustCompile(`^[A-Za-z]+[0-9]+`)
)

// hover shows a rule's documentation over its code in a noqa directive.
func (s *Server) hover(p TextDocumentPositionParams) *Hover {
	d := s.doc(p.TextDocument.URI)
	if d == nil {
		return nil
	}
	d.mu.Lock()
	text, lines := d.text, d.lines
	d.mu.Unlock()
	if p.Position.Line < 0 || p.Position.Line >= len(lines) {
		return nil
	}
	start, end := lineContent(text, lines, p.Position.Line)
	line := text[start:end]
	col := utf16ToByte(line, p.Position.Character)
	for _, loc := range noqaDirective.FindAllIndex(line, -1) {
		i := loc[1]
		for i < len(line) {
			m := noqaCode.Find(line[i:])
			if m == nil {
				break
			}
			if col >= i && col <= i+len(m) {
				rule := checks.ByCode(string(m))
				if rule == nil {
					return nil
				}
				rng := Range{Position{p.Position.Line, utf16Len(line[:i])}, Position{p.Position.Line, utf16Len(line[:i+len(m)])}}
				return &Hover{Contents: MarkupContent{Kind: "markdown", Value: rule.Markdown()}, Range: &rng}
			}
			i += len(m)
			for i < len(line) && (line[i] == ',' || line[i] == ' ' || line[i] == '\t') {
				i++
			}
		}
	}
	return nil
}
