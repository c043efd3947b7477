package lint

import (
	"path/filepath"
	"sort"
)

// scope is the part of the findings a run reports: with --diff-base only
// those on lines changed since a revision, with --baseline only those the
// baseline does not record (both: findings that pass both). A nil scope
// reports everything.
type scope struct {
	changed  *changedLines
	baseline *Baseline
	// baselineDir is the folder the baseline's paths are relative to.
	baselineDir string
	// fixed are the files --fix rewrote, with their content before.
	fixed map[string]*overlayFile
}

// openScope prepares the scope of the run from Options.DiffBase and
// Options.Baseline. Its errors (not a git repository, an unknown
// revision, an unreadable baseline) are errors of the whole run.
func (e *engine) openScope() error {
	if e.opts.DiffBase == "" && e.opts.Baseline == "" {
		return nil
	}
	s := &scope{}
	if e.opts.DiffBase != "" {
		c, err := loadChangedLines(e.root, e.opts.DiffBase)
		if err != nil {
			return err
		}
		s.changed = c
	}
	if e.opts.Baseline != "" {
		b, err := ReadBaseline(e.opts.Baseline)
		if err != nil {
			return err
		}
		s.baseline = b
		s.baselineDir = baselineDir(e.opts.Baseline)
	}
	e.scope = s
	return nil
}

func (s *scope) active() bool { return s != nil }

// filter returns the findings of fs (sorted, deduplicated; paths absolute
// or relative to the working folder) in scope; overlay as for keep.
func (s *scope) filter(fs []Finding, overlay map[string]*overlayFile) []Finding {
	if !s.active() {
		return fs
	}
	keep := s.keep(fs, overlay)
	out := fs[:0]
	for i, f := range fs {
		if keep[i] {
			out = append(out, f)
		}
	}
	return out
}

// keep reports, for each finding of fs, whether it is in scope. overlay
// holds files whose content fixes changed in memory (their rows are mapped
// back to the file on disk).
func (s *scope) keep(fs []Finding, overlay map[string]*overlayFile) []bool {
	if overlay == nil {
		overlay = s.fixed
	}
	keep := make([]bool, len(fs))
	for i := range keep {
		keep[i] = true
	}
	if s.changed != nil {
		remapped := map[string]map[int]bool{}
		for i := range fs {
			f := &fs[i]
			abs := cleanAbs(f.Path)
			fc := s.changed.lookup(abs)
			if fc == nil {
				keep[i] = false
				continue
			}
			rows := fc.rows
			if ov := overlay[abs]; ov != nil && !fc.all {
				r, ok := remapped[abs]
				if !ok {
					r = remapRows(ov.orig, ov.cur, fc.rows)
					remapped[abs] = r
				}
				rows = r
			}
			keep[i] = fc.counts(f, rows)
		}
	}
	if s.baseline != nil {
		known := s.baseline.match(s.baselineDir, fs)
		for i := range keep {
			keep[i] = keep[i] && !known[i]
		}
	}
	return keep
}

func cleanAbs(p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// remapRows maps the changed rows of orig to the rows of cur, the same
// file with fixes applied: a kept line keeps its verdict, a line a fix
// rewrote is changed when one of the lines it replaced was.
func remapRows(orig, cur []byte, rows map[int]bool) map[int]bool {
	out := map[int]bool{}
	ops := lineDiff(splitLines(orig), splitLines(cur))
	for i := 0; i < len(ops); {
		if ops[i].Kind == ' ' {
			if rows[ops[i].A+1] {
				out[ops[i].B+1] = true
			}
			i++
			continue
		}
		// A block of deletions and insertions.
		j := i
		changed := false
		for ; j < len(ops) && ops[j].Kind != ' '; j++ {
			if ops[j].Kind == '-' && rows[ops[j].A+1] {
				changed = true
			}
		}
		if changed {
			for _, op := range ops[i:j] {
				if op.Kind == '+' {
					out[op.B+1] = true
				}
			}
		}
		i = j
	}
	return out
}

// findingOrder returns the indices of fs in the engine's finding order
// (path, cell, row, column, code...).
func findingOrder(fs []Finding) []int {
	idx := make([]int, len(fs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(x, y int) bool { return findingLess(&fs[idx[x]], &fs[idx[y]]) })
	return idx
}
