package lint

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// Fixes are applied in memory first: each round's fixed content goes into
// an overlay that the next round's checks read instead of the disk (the
// project's parse cache is seeded with it, so imports see it too). Only
// when the rounds are over is the content written — after it has been
// re-parsed (a fix that adds a syntax error is refused) and re-linted —
// or, with Options.Diff, handed back as Result.Changes without writing.

// overlayFile is a file changed by fixes and not written yet.
type overlayFile struct {
	orig []byte // the content on disk when the first fix applied
	cur  []byte // the content with the fixes applied so far
	// fixes counts the fixes applied, by rule code.
	fixes map[string]int
}

// FileChange is a file that fixes changed (Options.Fix) or would change
// (Options.Diff).
type FileChange struct {
	// Path is displayed as findings' paths are.
	Path          string
	Before, After []byte
	// Fixes counts the fixes applied, by rule code.
	Fixes map[string]int
}

// source returns the content of path a check sees: the overlay's when
// fixes changed it, else the file's.
func (e *engine) source(path string) ([]byte, error) {
	if ov := e.overlay[path]; ov != nil {
		return ov.cur, nil
	}
	return readSource(path)
}

// seedOverlay gives the checker's fresh project the fixed content of the
// overlay files, so that imports of them see it rather than the disk.
func (e *engine) seedOverlay() {
	for p, ov := range e.overlay {
		_, _ = e.checker.Project.Parse(p, ov.cur)
	}
}

// fixRound is what one round of fixing knows about the fixes on offer.
type fixRound struct {
	code map[*Fix]string // the rule of each fix
	// allowed holds the fixes of findings the run reports (--diff-base,
	// --baseline); nil when every finding is reported.
	allowed map[*Fix]bool
}

// newFixRound describes the fixes of the findings in outcomes.
func (e *engine) newFixRound(outcomes []fileOutcome) *fixRound {
	r := &fixRound{code: map[*Fix]string{}}
	var all []Finding
	for _, o := range outcomes {
		for _, f := range o.res.Findings {
			if f.Fix != nil {
				r.code[f.Fix] = f.Code
			}
			if !e.vis.hidden(f.Path) {
				all = append(all, f)
			}
		}
	}
	if !e.scope.active() {
		return r
	}
	sortFindings(all)
	all = dedupe(all)
	keep := e.scope.keep(all, e.overlay)
	kept := map[findingKey]bool{}
	for i, f := range all {
		if keep[i] {
			kept[keyOf(&f)] = true
		}
	}
	r.allowed = map[*Fix]bool{}
	for _, o := range outcomes {
		for _, f := range o.res.Findings {
			if f.Fix != nil && kept[keyOf(&f)] {
				r.allowed[f.Fix] = true
			}
		}
	}
	return r
}

// findingKey identifies a finding across copies (dedupe's notion of one
// defect).
type findingKey struct {
	path          string
	cell          int
	start, end    Position
	code, message string
}

func keyOf(f *Finding) findingKey {
	return findingKey{f.Path, f.Cell, f.Location, f.End, f.Code, f.Message}
}

// fixInMemory applies fixes to the content of path (its overlay content,
// or the file's), which must still hash to expected, and records the result
// in the overlay. It returns the number of fixes applied.
func (e *engine) fixInMemory(path string, fixes []*Fix, expected string, r *fixRound) (int, error) {
	if r.allowed != nil {
		var in []*Fix
		for _, f := range fixes {
			if r.allowed[f] {
				in = append(in, f)
			}
		}
		if fixes = in; len(fixes) == 0 {
			return 0, nil
		}
	}
	ov := e.overlay[path]
	var src []byte
	if ov != nil {
		src = ov.cur
	} else {
		var err error
		if src, err = readSource(path); err != nil {
			return 0, fmt.Errorf("not fixed: %w", err)
		}
	}
	out, applied, err := fixContent(path, src, fixes, expected)
	if err != nil || len(applied) == 0 {
		return 0, err
	}
	if ov == nil {
		ov = &overlayFile{orig: src, fixes: map[string]int{}}
		if e.overlay == nil {
			e.overlay = map[string]*overlayFile{}
		}
		e.overlay[path] = ov
	}
	ov.cur = out
	for _, i := range applied {
		ov.fixes[r.code[fixes[i]]]++
	}
	// The cache knows the files on disk, not the overlay: it is off until
	// the run ends.
	e.cache = nil
	return len(applied), nil
}

// fixContent applies fixes to src, the content of path, which must hash to
// expected (the content the fixes were computed on). The result is
// re-parsed and refused when it adds a syntax error. It returns the new
// content and the indices in fixes of the fixes applied.
func fixContent(path string, src []byte, fixes []*Fix, expected string) ([]byte, []int, error) {
	if expected == "" || contentHash(src) != expected {
		return nil, nil, errors.New("not fixed: the file changed while sparklint was checking it")
	}
	out, applied := applyFixes(src, fixes)
	if len(applied) == 0 || string(out) == string(src) {
		return src, nil, nil
	}
	if err := checkFixedSyntax(path, src, out); err != nil {
		return nil, nil, err
	}
	return out, applied, nil
}

// writeFixed writes the fixed content of path atomically, keeping the
// file's permissions, provided the file still holds orig; a symbolic link
// is followed, not replaced.
func writeFixed(path string, orig, out []byte) error {
	resolved, err := filepath.EvalSymlinks(path)
	if err != nil {
		return fmt.Errorf("not fixed: %s", describeIOError(err))
	}
	st, err := os.Stat(resolved)
	if err != nil {
		return fmt.Errorf("not fixed: %s", describeIOError(err))
	}
	now, err := readSource(resolved)
	if err != nil {
		return fmt.Errorf("not fixed: %w", err)
	}
	if string(now) != string(orig) {
		return errors.New("not fixed: the file changed while sparklint was fixing it")
	}
	if err := writeAtomic(resolved, out, st.Mode().Perm(), true); err != nil {
		return fmt.Errorf("not fixed: cannot write: %s", describeIOError(err))
	}
	return nil
}

// finishFixes ends the fixing of a run: with Options.Diff it reports the
// changes in res.Changes; otherwise it writes them, and a file that cannot
// be written is checked again as it is on disk. It sets res.Fixed and
// returns the files that could not be written.
func (e *engine) finishFixes(outcomes []fileOutcome, res *Result) []FileError {
	if len(e.overlay) == 0 {
		return nil
	}
	display := displayPaths()
	var errs []FileError
	failed := map[string]bool{}
	for _, p := range sortedKeys(e.overlay) {
		ov := e.overlay[p]
		if !e.opts.Diff {
			if err := writeFixed(p, ov.orig, ov.cur); err != nil {
				errs = append(errs, FileError{Path: p, Message: err.Error()})
				failed[p] = true
				for _, n := range ov.fixes {
					res.Fixed -= n
				}
				continue
			}
		}
		res.Changes = append(res.Changes, FileChange{Path: display(p), Before: ov.orig, After: ov.cur, Fixes: ov.fixes})
	}
	sort.SliceStable(res.Changes, func(i, j int) bool { return res.Changes[i].Path < res.Changes[j].Path })
	if e.opts.Diff {
		return errs
	}
	// The disk holds the fixed content now: later steps (--add-noqa) read
	// it. The scope still maps the rows of the fixed files to the ones git
	// compared.
	if e.scope.active() {
		e.scope.fixed = map[string]*overlayFile{}
		for p, ov := range e.overlay {
			if !failed[p] {
				e.scope.fixed[p] = ov
			}
		}
	}
	e.overlay = nil
	if len(failed) == 0 {
		return errs
	}
	// What could not be written is reported as it is on disk.
	if err := e.newChecker(); err != nil {
		return append(errs, FileError{Path: sortedKeys(failed)[0], Message: err.Error(), Internal: true})
	}
	e.recheckFiles(outcomes, failed)
	return errs
}
