package lint

import (
	"path/filepath"

	"github.com/sparklint/sparklint/checks"
	"github.com/sparklint/sparklint/pyparse"
)

// Session is the configuration state of an editing session (the language
// server): each file gets the checker `sparklint check` would give it
// (the nearest sparklint.toml or pyproject.toml, with the options on top),
// and all checkers share one Project. Caching is off.
type Session struct {
	conf *configs
	root string
	opts Options
}

// NewSession reads the rule options of opts (Select, Ignore, ExtendSelect,
// Config, Isolated, Exclude, IgnoreNoqa, Rules) for the project rooted at
// root. Its error is a bad selector or --config file.
func NewSession(root string, opts Options) (*Session, error) {
	all := opts.Rules
	if all == nil {
		all = checks.All()
	}
	opts.NoCache = true
	if abs, err := filepath.Abs(root); err == nil {
		root = abs
	}
	e := &engine{opts: opts, root: root}
	if _, err := e.configure(all); err != nil {
		return nil, err
	}
	e.conf.project = NewProject(root)
	// An editor checks one file at a time and waits for it: a large file
	// is checked on two cores. It applies fixes to notebook cells.
	e.conf.parallel = true
	for _, g := range e.conf.order {
		if g.checker != nil {
			g.checker.Parallel, g.checker.CellFixes = true, true
		}
	}
	return &Session{conf: e.conf, root: root, opts: opts}, nil
}

// Root is the project root of the session.
func (s *Session) Root() string { return s.root }

// Project is the project all the session's checkers share.
func (s *Session) Project() *Project {
	s.conf.mu.Lock()
	defer s.conf.mu.Unlock()
	return s.conf.project
}

// CheckerFor returns the checker of the file at path (absolute), and the
// first configuration error met so far (the defaults are then used for
// the files that configuration governs).
func (s *Session) CheckerFor(path string) (*Checker, error) {
	c, _ := s.conf.checkerFor(path)
	return c, s.conf.failed()
}

// Filter applies the configuration of each finding's file: rules it does
// not select and per-file-ignores drop findings, unfixable rules lose
// their fix.
func (s *Session) Filter(fs []Finding) []Finding { return s.conf.filter(fs) }

// Files lists the Python files of the project (not notebooks), as
// `sparklint check` would walk the root.
func (s *Session) Files() []string {
	ex := newExcluder(s.root, s.opts.Exclude)
	ex.scoped = s.conf.scopedExcluders
	d, err := discover([]string{s.root}, ex)
	if err != nil {
		return nil
	}
	out := d.files[:0]
	for _, f := range d.files {
		if filepath.Ext(f) == ".py" {
			out = append(out, f)
		}
	}
	return out
}

// Excluded reports whether the file at path (absolute) is one the
// configuration excludes: `sparklint check --force-exclude` would skip it
// (exclude and extend-exclude, the default excludes such as .venv, and
// .gitignore). An editor shows no diagnostics in such a file.
func (s *Session) Excluded(path string) bool {
	ex := newExcluder(s.root, s.opts.Exclude)
	ex.scoped = s.conf.scopedExcluders
	return ex.forceExcluded(path)
}

// NoqaEdit returns the edit that adds code to the noqa directive of the
// 1-based row of m (a Finding's NoqaRow), as --add-noqa writes it: the
// directive is extended, or added at the end of the line (or of the
// string literal or continuation the line ends in). False when there is
// nothing to do: a bare "# noqa", or the code is listed already.
func NoqaEdit(m *pyparse.Module, row int, code string) (Edit, bool) {
	if row < 1 || row > m.LineCount() {
		return Edit{}, false
	}
	p := newNoqaPlacer(m)
	return p.edit(p.target(row-1), map[string]bool{code: true})
}
