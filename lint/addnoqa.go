package lint

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/sparklint/sparklint/pyparse"
)

// noNoqaCodes are the rules --add-noqa never suppresses: a file with a
// syntax error is not edited (placing a directive needs a clean parse),
// and suppressing an unused-noqa finding with another noqa makes no sense.
var noNoqaCodes = map[string]bool{"SPK001": true, "SPK002": true}

// addNoqa adds "# noqa: CODES" directives for the findings in outcomes
// that the run reports (Options.AddNoqa; --diff-base and --baseline
// narrow them), file by file, never in excluded files. Each finding's
// code goes to the comment of its noqa row: an existing "# noqa: X" list
// is extended (codes kept, sorted, deduplicated), a bare "# noqa" is left
// alone, and otherwise "  # noqa: CODES" is appended to the line. A row
// whose line ends inside a string (or continues with a backslash) gets the
// directive on the line where the string (or the continuation) ends, as a
// comment cannot go inside a string; such a moved directive is taken back
// (with a warning) when the checker does not read it there for the
// finding. Findings in Jupyter notebooks are
// skipped with a warning. Files are written atomically, keeping their
// mode and line endings, and only when the result still parses and every
// directive added is one sparklint reads back.
//
// The files changed are checked again, so that outcomes end up holding
// what remains. It returns the number of directives added or extended,
// warnings for the user, and the files that could not be edited.
func (e *engine) addNoqa(outcomes []fileOutcome) (int, []string, []FileError) {
	if e.opts.Diff {
		return 0, []string{"--add-noqa writes files: it does nothing with --diff"}, nil
	}
	expected := expectedHashes(outcomes)
	// The findings the run reports: visible, and in scope (--diff-base,
	// --baseline).
	var all []Finding
	for _, o := range outcomes {
		for _, f := range o.res.Findings {
			if !noNoqaCodes[f.Code] && !e.vis.hidden(f.Path) {
				f.Related = nil // not needed; dedupe would merge them
				all = append(all, f)
			}
		}
	}
	sortFindings(all)
	all = e.scope.filter(dedupe(all), e.overlay)
	// path -> 1-based noqa row -> codes
	rows := map[string]map[int]map[string]bool{}
	notebooks := map[string]int{}
	for _, f := range all {
		if f.Cell > 0 || pyparse.IsJupyter(f.Path) {
			notebooks[f.Path]++
			continue
		}
		byRow := rows[f.Path]
		if byRow == nil {
			byRow = map[int]map[string]bool{}
			rows[f.Path] = byRow
		}
		if byRow[f.NoqaRow] == nil {
			byRow[f.NoqaRow] = map[string]bool{}
		}
		byRow[f.NoqaRow][f.Code] = true
	}
	display := displayPaths()
	var warnings []string
	for _, p := range sortedKeys(notebooks) {
		warnings = append(warnings, fmt.Sprintf("%s: noqa directives are not added to Jupyter notebooks (%d %s left as they are)",
			display(p), notebooks[p], noqaPlural(notebooks[p], "finding", "findings")))
	}
	total := 0
	var errs []FileError
	written := map[string]*noqaWrite{}
	for _, p := range sortedKeys(rows) {
		if e.vis.ex.forceExcluded(p) {
			// Named on the command line but excluded: reported, never
			// written.
			warnings = append(warnings, fmt.Sprintf("%s: excluded (default names, configuration, --exclude or .gitignore): noqa directives not added", display(p)))
			continue
		}
		w, warns, err := addNoqaFile(p, rows[p], expected[p])
		for _, msg := range warns {
			warnings = append(warnings, display(p)+": "+msg)
		}
		if err != nil {
			errs = append(errs, FileError{Path: p, Message: err.Error()})
			continue
		}
		if w != nil {
			total += w.n
			written[p] = w
			e.noteWritten(p, w.out)
		}
	}
	if len(written) == 0 {
		return total, warnings, errs
	}
	if err := e.recheck(outcomes, written); err != nil {
		return total, warnings, append(errs, FileError{Path: sortedKeys(written)[0], Message: err.Error(), Internal: true})
	}

	// A directive moved off its row (the row ends inside a string or a
	// backslash continuation) helps only if the checker reads it there;
	// take back the ones that suppressed nothing, rather than leave
	// directives that do nothing (and that SPK002 reports as unused).
	failed := map[string]map[int]bool{}
	for _, o := range outcomes {
		for _, f := range o.res.Findings {
			w := written[f.Path]
			if w == nil || f.Cell > 0 || !rows[f.Path][f.NoqaRow][f.Code] {
				continue
			}
			if t, ok := w.moved[f.NoqaRow]; ok {
				if failed[f.Path] == nil {
					failed[f.Path] = map[int]bool{}
				}
				if !failed[f.Path][f.NoqaRow] {
					failed[f.Path][f.NoqaRow] = true
					warnings = append(warnings, fmt.Sprintf("%s:%d: the line ends inside a string or continues on the next line, and sparklint does not read a noqa directive on line %d for it: not added",
						display(f.Path), f.NoqaRow, t))
				}
			}
		}
	}
	if len(failed) == 0 {
		return total, warnings, errs
	}
	undone := map[string]*noqaWrite{}
	for _, p := range sortedKeys(failed) {
		w := written[p]
		keep := map[int]map[string]bool{}
		for r, codes := range rows[p] {
			if !failed[p][r] {
				keep[r] = codes
			}
		}
		again, err := rewriteNoqa(p, w, keep)
		if err != nil {
			errs = append(errs, FileError{Path: p, Message: err.Error()})
			continue
		}
		total += again.n - w.n
		undone[p] = again
		e.noteWritten(p, again.out)
	}
	if len(undone) > 0 {
		if err := e.recheck(outcomes, undone); err != nil {
			errs = append(errs, FileError{Path: sortedKeys(undone)[0], Message: err.Error(), Internal: true})
		}
	}
	return total, warnings, errs
}

// noteWritten records that the file at path now holds content: a file
// fixed by --fix is read from the fixes' overlay by the checks.
func (e *engine) noteWritten(path string, content []byte) {
	if ov := e.overlay[path]; ov != nil {
		ov.cur = content
	}
}

// recheck checks again, with a fresh project (its parse cache holds the old
// contents), the outcomes whose result the rewritten files may change.
func (e *engine) recheck(outcomes []fileOutcome, rewritten map[string]*noqaWrite) error {
	changed := map[string]bool{}
	for p := range rewritten {
		changed[p] = true
	}
	e.cache.forget()
	if err := e.newChecker(); err != nil {
		return err
	}
	e.recheckFiles(outcomes, changed)
	return nil
}

// expectedHashes maps each file that findings point into to the hash of
// the content their offsets refer to: the checked file's own hash, or the
// hash recorded for a helper module.
func expectedHashes(outcomes []fileOutcome) map[string]string {
	expected := map[string]string{}
	for _, o := range outcomes {
		if o.hash != "" {
			expected[o.path] = o.hash
		}
	}
	for _, o := range outcomes {
		for d, h := range o.res.Deps {
			if _, ok := expected[d]; !ok {
				expected[d] = h
			}
		}
	}
	return expected
}

// forceExcluded reports whether the file or folder at path (absolute)
// would be skipped by a walk: it, or a folder above it, is excluded by
// name, by --exclude or by a .gitignore. The walk starts at the project
// root when path is inside it, else at path's folder.
func (e *excluder) forceExcluded(path string) bool {
	base := filepath.Dir(path)
	if _, ok := relSlash(e.root, path); ok {
		base = e.root
	}
	v := &visibility{ex: e}
	return v.skippedFrom(base, path)
}

// noqaWrite is a file --add-noqa wrote.
type noqaWrite struct {
	resolved string      // the file written (symbolic links followed)
	mode     os.FileMode // its permissions
	src, out []byte      // the content before and after
	n        int         // directives added or extended
	// moved maps the rows whose directive went on another line (their
	// line ends inside a string or a continuation) to that line, 1-based.
	moved map[int]int
}

// addNoqaFile adds the codes of rows (1-based noqa rows) to the noqa
// comments of the file at path, whose content must still hash to
// expected. It returns what it wrote (nil when nothing) and warnings
// about rows left alone.
func addNoqaFile(path string, rows map[int]map[string]bool, expected string) (*noqaWrite, []string, error) {
	resolved, err := filepath.EvalSymlinks(path)
	if err != nil {
		return nil, nil, fmt.Errorf("noqa not added: %s", describeIOError(err))
	}
	st, err := os.Stat(resolved)
	if err != nil {
		return nil, nil, fmt.Errorf("noqa not added: %s", describeIOError(err))
	}
	src, err := readSource(resolved)
	if err != nil {
		return nil, nil, fmt.Errorf("noqa not added: %w", err)
	}
	if expected == "" || contentHash(src) != expected {
		return nil, nil, errors.New("noqa not added: the file changed while sparklint was checking it")
	}
	out, n, warns, moved, err := addNoqaDirectives(path, src, rows)
	if err != nil || n == 0 {
		return nil, warns, err
	}
	if err := writeAtomic(resolved, out, st.Mode().Perm(), true); err != nil {
		return nil, warns, fmt.Errorf("noqa not added: cannot write: %s", describeIOError(err))
	}
	return &noqaWrite{resolved: resolved, mode: st.Mode().Perm(), src: src, out: out, n: n, moved: moved}, warns, nil
}

// rewriteNoqa writes the file of w again with the directives of rows
// only, provided it still holds what w wrote.
func rewriteNoqa(path string, w *noqaWrite, rows map[int]map[string]bool) (*noqaWrite, error) {
	now, err := readSource(w.resolved)
	if err != nil {
		return nil, fmt.Errorf("noqa directives not taken back: %w", err)
	}
	if !bytes.Equal(now, w.out) {
		return nil, errors.New("noqa directives not taken back: the file changed while sparklint was editing it")
	}
	out, n, _, moved, err := addNoqaDirectives(path, w.src, rows)
	if err != nil {
		return nil, err
	}
	if err := writeAtomic(w.resolved, out, w.mode, true); err != nil {
		return nil, fmt.Errorf("noqa directives not taken back: cannot write: %s", describeIOError(err))
	}
	return &noqaWrite{resolved: w.resolved, mode: w.mode, src: w.src, out: out, n: n, moved: moved}, nil
}

// AddNoqaDirectives returns src (the Python file path) with the codes of
// rows (1-based rows of findings, as Finding.NoqaRow) added to the noqa
// comments of those rows, the number of directives added or extended, and
// warnings about rows left alone. The placement is addNoqa's.
// A file with a syntax error is left alone (with a warning); the result
// is verified to parse as the original did and to carry every directive
// added, a directive sparklint would not read back being dropped with a
// warning.
func AddNoqaDirectives(path string, src []byte, rows map[int]map[string]bool) ([]byte, int, []string, error) {
	out, n, warns, _, err := addNoqaDirectives(path, src, rows)
	return out, n, warns, err
}

// addNoqaDirectives is AddNoqaDirectives; it also returns the rows whose
// directive went on another line, mapped to that line (1-based).
func addNoqaDirectives(path string, src []byte, rows map[int]map[string]bool) ([]byte, int, []string, map[int]int, error) {
	if pyparse.IsJupyter(path) {
		return src, 0, []string{"noqa directives are not added to Jupyter notebooks"}, nil, nil
	}
	m, err := pyparse.Parse(nil, path, src)
	if err != nil {
		return src, 0, nil, nil, fmt.Errorf("noqa not added: %w", err)
	}
	if m.SyntaxError != pyparse.NoNode {
		r, _ := m.RowCol(m.N(m.SyntaxError).Start)
		return src, 0, []string{fmt.Sprintf("syntax error on line %d: noqa directives not added", r)}, nil, nil
	}
	var warns []string
	p := newNoqaPlacer(m)
	// 0-based target line -> codes
	targets := map[int]map[string]bool{}
	moved := map[int]int{}
	for _, row := range sortedNoqaRows(rows) {
		line := row - 1
		if line < 0 || line >= m.LineCount() {
			warns = append(warns, fmt.Sprintf("line %d is not in the file: noqa not added", row))
			continue
		}
		t := p.target(line)
		if t != line {
			moved[row] = t + 1
		}
		if targets[t] == nil {
			targets[t] = map[string]bool{}
		}
		for c := range rows[row] {
			targets[t][c] = true
		}
	}
	edits := map[int]Edit{}
	for t, codes := range targets {
		if ed, ok := p.edit(t, codes); ok {
			edits[t] = ed
		}
	}
	// Apply, then read the result back: a directive sparklint does not
	// recognise (another comment on the line is in the way) is dropped.
	for len(edits) > 0 {
		var fixes []*Fix
		for _, t := range sortedNoqaRows(edits) {
			fixes = append(fixes, &Fix{Edits: []Edit{edits[t]}})
		}
		out, n := ApplyFixes(src, fixes)
		if n != len(fixes) {
			return src, 0, warns, nil, errors.New("internal error: noqa edits overlap (this is a bug in sparklint; please report it)")
		}
		after, err := pyparse.Parse(nil, path, out)
		if err != nil || after.SyntaxError != pyparse.NoNode || after.LineCount() != m.LineCount() {
			return src, 0, warns, nil, errors.New("noqa not added: the directives would introduce a syntax error (this is a bug in sparklint; please report it)")
		}
		dropped := false
		for _, t := range sortedNoqaRows(edits) {
			for _, c := range sortedKeys(targets[t]) {
				if !after.Noqa.Suppresses(c, t) {
					warns = append(warns, fmt.Sprintf("line %d: its comment keeps a noqa directive from being read: noqa not added", t+1))
					delete(edits, t)
					dropped = true
					break
				}
			}
		}
		if !dropped {
			return out, n, warns, moved, nil
		}
	}
	return src, 0, warns, nil, nil
}

// noqaPlacer finds where a row's noqa directive goes and what to write.
type noqaPlacer struct {
	m *pyparse.Module
	// strings are the spans of string literals that cross a line break.
	strings [][2]uint32
	// comments maps a 0-based line to the comment on it.
	comments map[int]pyparse.NodeID
}

func newNoqaPlacer(m *pyparse.Module) *noqaPlacer {
	p := &noqaPlacer{m: m, comments: map[int]pyparse.NodeID{}}
	for i := range m.Nodes {
		n := &m.Nodes[i]
		if n.Kind == pyparse.KString && bytes.IndexByte(m.Src[n.Start:n.End], '\n') >= 0 {
			p.strings = append(p.strings, [2]uint32{n.Start, n.End})
		}
	}
	for _, c := range m.Comments {
		p.comments[m.Line(m.N(c).Start)] = c
	}
	return p
}

// lineEnd returns the offset of the line break of 0-based line (the end
// of the file for the last line without one) and the end of its content
// (before "\r\n" or "\n").
func (p *noqaPlacer) lineEnd(line int) (eol, content int) {
	src := p.m.Src
	start := p.m.LineStart(line)
	eol = len(src)
	if i := bytes.IndexByte(src[start:], '\n'); i >= 0 {
		eol = start + i
	}
	content = eol
	if content > start && src[content-1] == '\r' {
		content--
	}
	return eol, content
}

// target returns the 0-based line whose end can take the noqa comment of
// line: line itself, or, when it ends inside a string literal, the line
// where the string ends, or, when it ends with a backslash continuation,
// the line it continues on (repeatedly).
func (p *noqaPlacer) target(line int) int {
	for steps := 0; steps < p.m.LineCount(); steps++ {
		eol, content := p.lineEnd(line)
		if eol >= len(p.m.Src) {
			return line
		}
		var end uint32
		for _, s := range p.strings {
			if s[0] < uint32(eol) && s[1] > uint32(eol) && s[1] > end {
				end = s[1]
			}
		}
		if end > 0 {
			line = p.m.Line(end)
			continue
		}
		if _, ok := p.comments[line]; !ok {
			text := bytes.TrimRight(p.m.Src[p.m.LineStart(line):content], " \t\f")
			if bytes.HasSuffix(text, []byte{'\\'}) && line+1 < p.m.LineCount() {
				line++
				continue
			}
		}
		return line
	}
	return line
}

// edit returns the edit that puts codes into the noqa directive of the
// 0-based line, false when there is nothing to do (a bare "# noqa", or
// every code listed already).
func (p *noqaPlacer) edit(line int, codes map[string]bool) (Edit, bool) {
	m := p.m
	if sup := m.Noqa.ByLine[line]; sup != nil {
		if sup.All {
			return Edit{}, false
		}
		merged := map[string]bool{}
		for _, c := range sup.Codes {
			merged[c] = true
		}
		added := false
		for c := range codes {
			if !merged[c] {
				merged[c] = true
				added = true
			}
		}
		if !added {
			return Edit{}, false
		}
		return Edit{Content: strings.Join(sortedKeys(merged), ", "), Offset: int(sup.CodesStart), EndOffset: int(sup.CodesEnd)}, true
	}
	_, content := p.lineEnd(line)
	start := m.LineStart(line)
	trimmed := start + len(bytes.TrimRight(m.Src[start:content], " \t\f"))
	text := "  # noqa: " + strings.Join(sortedKeys(codes), ", ")
	if trimmed == start {
		text = "# noqa: " + strings.Join(sortedKeys(codes), ", ")
	}
	return Edit{Content: text, Offset: trimmed, EndOffset: content}, true
}

func sortedNoqaRows[V any](m map[int]V) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}

func noqaPlural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
