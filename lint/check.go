package lint

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/sparklint/sparklint/checks"
	"github.com/sparklint/sparklint/checks/executor"
	"github.com/sparklint/sparklint/checks/settings"
	"github.com/sparklint/sparklint/checks/sparktype"
	"github.com/sparklint/sparklint/pyparse"
	"golang.org/x/tools/go/analysis"
)

// maxFileSize is the largest file sparklint reads (10 MB).
const maxFileSize = 10 << 20

// validate rejects input that is not Python source text.
func validate(src []byte) error {
	if err := validateShape(src); err != nil {
		return err
	}
	return validateText(src)
}

// validateShape rejects what is not a source file at all: too large or
// binary. It is cheap, and runs before the prefilter.
func validateShape(src []byte) error {
	if len(src) > maxFileSize {
		return fmt.Errorf("file is %d bytes, more than the %d MB limit: not checked", len(src), maxFileSize>>20)
	}
	head := src
	if len(head) > 8000 {
		head = head[:8000]
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return errors.New("binary file (contains NUL bytes): not checked")
	}
	return nil
}

// validateText rejects text that is not UTF-8. It runs after the
// prefilter: a file with nothing to check is skipped whatever its encoding
// (the standard library's tests hold Latin-1 sources).
func validateText(src []byte) error {
	if !utf8.Valid(src) {
		bad := 0
		for bad < len(src) {
			r, size := utf8.DecodeRune(src[bad:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			bad += size
		}
		line := bytes.Count(src[:bad], []byte{'\n'}) + 1
		return fmt.Errorf("invalid UTF-8 at line %d (byte %d): not checked", line, bad)
	}
	return nil
}

func contentHash(src []byte) string {
	h := sha256.Sum256(src)
	return hex.EncodeToString(h[:16])
}

// Checker runs a set of rules on files of a project.
type Checker struct {
	Project *Project
	Rules   []*checks.Rule
	// Settings are the rule options (settings.Default when nil).
	Settings *settings.Settings
	// Parallel runs the analyzers of a large module in two lanes, on two
	// cores (the language server: one file at a time, latency matters).
	// The type inference is done in both; the command line, which checks
	// files in parallel already, leaves it off.
	Parallel bool
	// CellFixes keeps the fixes of findings in notebooks (an editor
	// applies them to the cells). Their edits are located by offset in the
	// module's source (pyparse.JoinCells); their rows are of that source.
	CellFixes bool
	// analyzers in dependency order (prerequisites first); rank is the
	// index of each in order, lanes the two lanes of a Parallel checker.
	order    []*analysis.Analyzer
	rank     map[*analysis.Analyzer]int
	lanes    [2][]*analysis.Analyzer
	ruleOf   map[*analysis.Analyzer]*checks.Rule
	triggers [][]byte
	syntax   bool
	// unusedNoqa is set when SPK002 is selected; active lists the codes
	// of the selected rules.
	unusedNoqa bool
	active     map[string]bool
	// IgnoreNoqa makes suppression comments suppress nothing (and SPK002
	// report nothing).
	IgnoreNoqa bool
}

// NewChecker prepares rules for running.
func NewChecker(p *Project, rules []*checks.Rule) (*Checker, error) {
	c := &Checker{Project: p, Rules: rules, ruleOf: map[*analysis.Analyzer]*checks.Rule{}, active: map[string]bool{}}
	var roots []*analysis.Analyzer
	for _, r := range rules {
		c.active[r.Code] = true
		if r.Analyzer == nil {
			switch r.Code {
			case checks.SyntaxError.Code:
				c.syntax = true
			case checks.UnusedNoqa.Code:
				c.unusedNoqa = true
			}
			continue
		}
		roots = append(roots, r.Analyzer)
		c.ruleOf[r.Analyzer] = r
		for _, t := range r.Triggers {
			c.triggers = append(c.triggers, []byte(t))
		}
	}
	if err := analysis.Validate(roots); err != nil {
		return nil, err
	}
	seen := map[*analysis.Analyzer]bool{}
	var visit func(a *analysis.Analyzer)
	visit = func(a *analysis.Analyzer) {
		if seen[a] {
			return
		}
		seen[a] = true
		for _, r := range a.Requires {
			visit(r)
		}
		c.order = append(c.order, a)
	}
	for _, a := range roots {
		visit(a)
	}
	c.splitLanes()
	return c, nil
}

// Wanted is the prefilter: a file is parsed only when it contains a
// trigger token of a selected rule and works with Spark — it names pyspark
// (or Glue, or is a Databricks notebook), or imports a project module that
// does. Most Python files are rejected after one scan of their bytes.
func (c *Checker) Wanted(path string, src []byte) bool {
	hit := false
	for _, t := range c.triggers {
		if bytes.Contains(src, t) {
			hit = true
			break
		}
	}
	if !hit && !(c.syntax && mentionsSpark(src)) {
		return false
	}
	// With Databricks mode on, every file may use a predefined spark.
	if c.Settings != nil && c.Settings.Databricks == settings.DatabricksOn {
		return true
	}
	// Jupyter notebooks may use a predefined spark, like Databricks ones.
	return mentionsSpark(src) || pyparse.IsJupyter(path) || c.Project.importsSparkModule(path, src)
}

// FileResult is what checking one file produced.
type FileResult struct {
	Findings []Finding
	Errors   []FileError
	// Parsed is false when the prefilter skipped the file.
	Parsed bool
	// Deps are the other project files whose content the findings depend
	// on (modules whose functions were followed), with their hashes.
	Deps map[string]string
	// Lines is the number of lines of the file.
	Lines int
}

// CheckFile checks one file whose content is src.
func (c *Checker) CheckFile(path string, src []byte) FileResult {
	res := FileResult{Lines: lineCount(src)}
	if err := validateShape(src); err != nil {
		res.Errors = append(res.Errors, FileError{Path: path, Message: err.Error()})
		return res
	}
	if !c.Wanted(path, src) {
		return res
	}
	if err := validateText(src); err != nil {
		res.Errors = append(res.Errors, FileError{Path: path, Message: err.Error()})
		return res
	}
	res.Parsed = true
	m, err := c.Project.Parse(path, src)
	if err != nil {
		res.Errors = append(res.Errors, FileError{Path: path, Message: err.Error()})
		return res
	}
	return c.checkModule(path, m, res)
}

// CheckModule checks a module the caller parsed (the language server's
// incremental parse of an open document), registering it in the project
// in place of the file's content on disk. The prefilter does not apply.
func (c *Checker) CheckModule(path string, src []byte, m *pyparse.Module) FileResult {
	c.Project.Replace(path, src, m)
	return c.checkModule(path, m, FileResult{Lines: lineCount(src), Parsed: true})
}

func (c *Checker) checkModule(path string, m *pyparse.Module, res FileResult) FileResult {
	used := map[int]map[string]bool{} // 0-based line → codes its noqa suppressed
	if c.syntax && m.SyntaxError != pyparse.NoNode {
		at := errorSpot(m, m.SyntaxError)
		n := m.N(at)
		msg := "syntax error: unexpected " + describeError(m, at)
		if !c.suppressed(m, checks.SyntaxError.Code, n.Start, used) {
			res.Findings = append(res.Findings, c.finding(m, checks.SyntaxError, msg, n.Start, n.End))
		}
	}
	if m.Scopes == nil {
		return res
	}
	unit := &pyparse.Unit{Module: m, Project: c.Project}
	opts := c.Settings
	if opts == nil {
		opts = settings.Default
	}
	lanes := [][]*analysis.Analyzer{c.order}
	if c.Parallel && len(m.Nodes) >= parallelNodes && c.lanes[1] != nil {
		lanes = c.lanes[:]
	}
	runs := make([]laneRun, len(lanes))
	var wg sync.WaitGroup
	for i, lane := range lanes {
		wg.Go(func() { runs[i] = c.runLane(path, lane, unit, opts) })
	}
	wg.Wait()
	// Diagnostics in the order of c.order whatever the lanes: the noqa
	// bookkeeping of convert sees them in the same order every time.
	var diags []laneDiag
	var infos []*sparktype.Info
	var ex *executor.Info
	for _, r := range runs {
		diags = append(diags, r.diags...)
		for _, e := range r.errors {
			// A prerequisite both lanes run fails in both: once (the
			// stacks differ in their argument words).
			if !slices.ContainsFunc(res.Errors, func(x FileError) bool { return firstLine(x.Message) == firstLine(e.Message) }) {
				res.Errors = append(res.Errors, e)
			}
		}
		if info, ok := r.resultOf[sparktype.Analyzer].(*sparktype.Info); ok {
			infos = append(infos, info)
		}
		if e, ok := r.resultOf[executor.Analyzer].(*executor.Info); ok {
			ex = e
		}
	}
	slices.SortStableFunc(diags, func(a, b laneDiag) int { return a.order - b.order })
	deps := map[string]string{}
	for _, x := range diags {
		f, ok := c.convert(x.rule, x.d, m, used)
		if !ok {
			continue
		}
		if f.Path != path {
			deps[f.Path] = c.Project.hashOf(f.Path)
		}
		res.Findings = append(res.Findings, f)
	}
	// Functions followed into other modules make this file's findings
	// depend on them even when nothing is reported there.
	for _, info := range infos {
		for _, om := range info.Modules() {
			if om.Path != path {
				deps[om.Path] = c.Project.hashOf(om.Path)
			}
			for _, miss := range c.Project.Missing(om) {
				deps[miss] = ""
			}
		}
	}
	if len(deps) > 0 {
		res.Deps = deps
	}
	if c.unusedNoqa && !c.IgnoreNoqa {
		res.Findings = append(res.Findings, c.unusedSuppressions(m, used, ex)...)
	}
	sortFindings(res.Findings)
	res.Findings = dedupe(res.Findings)
	return res
}

func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}

// parallelNodes is the size of module (in syntax nodes, about 12 per
// line) from which a Parallel checker uses two lanes.
var parallelNodes = 20000

// laneDiag is a diagnostic of a rule, with the rank of its analyzer in
// Checker.order.
type laneDiag struct {
	rule  *checks.Rule
	d     analysis.Diagnostic
	order int
}

// laneRun is what running a lane of analyzers produced.
type laneRun struct {
	resultOf map[*analysis.Analyzer]any
	diags    []laneDiag
	errors   []FileError
}

// runLane runs analyzers (in dependency order) on a module, with results
// of its own: two lanes share nothing but the module and the project.
func (c *Checker) runLane(path string, analyzers []*analysis.Analyzer, unit *pyparse.Unit, opts *settings.Settings) laneRun {
	run := laneRun{resultOf: map[*analysis.Analyzer]any{pyparse.Analyzer: unit, settings.Analyzer: opts}}
	for _, a := range analyzers {
		if a == pyparse.Analyzer || a == settings.Analyzer {
			continue
		}
		ok := true
		for _, req := range a.Requires {
			if _, done := run.resultOf[req]; !done {
				ok = false
			}
		}
		if !ok {
			continue
		}
		rule, order := c.ruleOf[a], c.rank[a]
		pass := &analysis.Pass{
			Analyzer: a,
			Fset:     c.Project.Fset,
			// Files, OtherFiles, Pkg, TypesInfo, TypesSizes and the
			// object/package fact functions describe Go packages and
			// have no meaning for Python: they stay nil.
			ResultOf: run.resultOf,
			Report: func(d analysis.Diagnostic) {
				if rule != nil {
					run.diags = append(run.diags, laneDiag{rule, d, order})
				}
			},
		}
		result, err := runAnalyzer(a, pass)
		if err != nil {
			run.errors = append(run.errors, FileError{Path: path, Message: err.Error(), Internal: true})
			continue
		}
		run.resultOf[a] = result
	}
	return run
}

// splitLanes divides c.order in two for Parallel checkers: the executor
// analysis and the rules that need it, and the other rules; each lane
// has the analyzers they require (the type inference runs in both).
func (c *Checker) splitLanes() {
	c.rank = map[*analysis.Analyzer]int{}
	for i, a := range c.order {
		c.rank[a] = i
	}
	needs := map[*analysis.Analyzer]bool{}
	var requiresExecutor func(a *analysis.Analyzer) bool
	requiresExecutor = func(a *analysis.Analyzer) bool {
		if v, ok := needs[a]; ok {
			return v
		}
		v := a == executor.Analyzer
		for _, r := range a.Requires {
			v = v || requiresExecutor(r)
		}
		needs[a] = v
		return v
	}
	var heavy, light []*analysis.Analyzer
	for _, a := range c.order {
		if requiresExecutor(a) {
			heavy = append(heavy, a)
		} else if c.ruleOf[a] != nil {
			light = append(light, a)
		}
	}
	if len(heavy) == 0 || len(light) == 0 {
		return
	}
	// Each lane: its analyzers with their prerequisites, in c.order.
	for i, roots := range [][]*analysis.Analyzer{heavy, light} {
		in := map[*analysis.Analyzer]bool{}
		var add func(a *analysis.Analyzer)
		add = func(a *analysis.Analyzer) {
			if !in[a] {
				in[a] = true
				for _, r := range a.Requires {
					add(r)
				}
			}
		}
		for _, a := range roots {
			add(a)
		}
		for _, a := range c.order {
			if in[a] {
				c.lanes[i] = append(c.lanes[i], a)
			}
		}
	}
}

// runAnalyzer runs one analyzer, turning a panic into an internal error so
// one rule cannot take down the run.
func runAnalyzer(a *analysis.Analyzer, pass *analysis.Pass) (result any, err error) {
	defer func() {
		if r := recover(); r != nil {
			stack := string(debug.Stack())
			if i := strings.Index(stack, "panic("); i >= 0 {
				stack = stack[i:]
			}
			if len(stack) > 1500 {
				stack = stack[:1500]
			}
			err = fmt.Errorf("internal error in %s: panic: %v\n%s", a.Name, r, stack)
		}
	}()
	return a.Run(pass)
}

func describeError(m *pyparse.Module, id pyparse.NodeID) string {
	n := m.N(id)
	if n.Missing {
		return "end of construct: missing " + strings.TrimSpace(n.Kind.String())
	}
	text := m.Text(id)
	if i := strings.IndexByte(text, '\n'); i >= 0 {
		text = text[:i]
	}
	if len(text) > 40 {
		text = text[:40] + "..."
	}
	if text == "" {
		return "input"
	}
	return fmt.Sprintf("%q", text)
}

func (c *Checker) finding(m *pyparse.Module, r *checks.Rule, msg string, start, end uint32) Finding {
	sr, sc := m.RowCol(start)
	er, ec := m.RowCol(end)
	f := Finding{Code: r.Code, Name: r.Name, Message: msg, Path: m.Path, Location: Position{sr, sc},
		End: Position{er, ec}, URL: r.URL(), NoqaRow: noqaLine(m, start) + 1, Offset: int(start), EndOffset: int(end),
		SourceLine: m.LineText(sr - 1)}
	if len(m.Cells) > 0 {
		// Notebook rows count within their cell, as Ruff reports them.
		f.Cell, f.Location.Row = m.CellOf(sr)
		_, f.End.Row = m.CellOf(er)
		_, f.NoqaRow = m.CellOf(f.NoqaRow)
	}
	return f
}

// cellPosition is pos of module m as reported: within its cell for
// notebooks.
func cellPosition(m *pyparse.Module, off uint32) Position {
	r, c := m.RowCol(off)
	_, r = m.CellOf(r)
	return Position{r, c}
}

// convert turns a diagnostic into a finding, dropping suppressed ones.
func (c *Checker) convert(r *checks.Rule, d analysis.Diagnostic, checked *pyparse.Module, used map[int]map[string]bool) (Finding, bool) {
	m := c.Project.ModuleAt(d.Pos)
	if m == nil {
		return Finding{}, false
	}
	start := uint32(m.File.Offset(d.Pos))
	end := start
	if d.End.IsValid() {
		end = uint32(m.File.Offset(d.End))
	}
	if m == checked {
		if c.suppressed(m, r.Code, start, used) {
			return Finding{}, false
		}
	} else if !c.IgnoreNoqa && m.Noqa.Suppresses(r.Code, m.Line(start)) {
		return Finding{}, false
	}
	f := c.finding(m, r, d.Message, start, end)
	for _, rel := range d.Related {
		rm := c.Project.ModuleAt(rel.Pos)
		if rm == nil {
			continue
		}
		rs := uint32(rm.File.Offset(rel.Pos))
		re := rs
		if rel.End.IsValid() {
			re = uint32(rm.File.Offset(rel.End))
		}
		cell, _ := rm.CellOf(rm.Line(rs) + 1)
		f.Related = append(f.Related, Related{Cell: cell, Path: rm.Path, Location: cellPosition(rm, rs), End: cellPosition(rm, re), Message: rel.Message})
	}
	// Fix edits are offsets into the notebook's Python source, not its
	// JSON: notebooks get the message but no fix, unless CellFixes.
	if len(d.SuggestedFixes) > 0 && (len(m.Cells) == 0 || c.CellFixes) {
		sf := d.SuggestedFixes[0]
		fix := &Fix{Applicability: "safe", Message: sf.Message}
		// Rules mark unsafe fixes with the diagnostic category
		// "unsafe-fix" (SuggestedFix has no applicability field).
		if d.Category == checks.UnsafeFix {
			fix.Applicability = "unsafe"
		}
		for _, te := range sf.TextEdits {
			so, eo := uint32(m.File.Offset(te.Pos)), uint32(m.File.Offset(te.End))
			a, b := m.RowCol(so)
			x, y := m.RowCol(eo)
			fix.Edits = append(fix.Edits, Edit{Content: string(te.NewText), Location: Position{a, b}, End: Position{x, y}, Offset: int(so), EndOffset: int(eo)})
		}
		f.Fix = fix
	}
	return f, true
}

func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool { return findingLess(&fs[i], &fs[j]) })
}

// findingLess is the order of findings in every output: path, cell, row,
// column, code, end, message. Copies of one defect stay together, for
// dedupe.
func findingLess(a, b *Finding) bool {
	switch {
	case a.Path != b.Path:
		return a.Path < b.Path
	case a.Cell != b.Cell:
		return a.Cell < b.Cell
	case a.Location.Row != b.Location.Row:
		return a.Location.Row < b.Location.Row
	case a.Location.Column != b.Location.Column:
		return a.Location.Column < b.Location.Column
	case a.Code != b.Code:
		return a.Code < b.Code
	case a.End.Row != b.End.Row:
		return a.End.Row < b.End.Row
	case a.End.Column != b.End.Column:
		return a.End.Column < b.End.Column
	}
	return a.Message < b.Message
}

// dedupe drops repeated findings (a helper shipped from two places is
// reported once); fs must be sorted.
//
// One defect is one finding: the same rule at the same range of the same
// file is reported once, with the related locations of every report (the
// messages may differ in which shipping call they name).
func dedupe(fs []Finding) []Finding {
	out := fs[:0]
	for i, f := range fs {
		if i > 0 {
			p := &out[len(out)-1]
			if p.Path == f.Path && p.Location == f.Location && p.End == f.End && p.Code == f.Code && p.Cell == f.Cell {
				for _, r := range f.Related {
					if !slices.Contains(p.Related, r) {
						p.Related = append(p.Related, r)
					}
				}
				continue
			}
		}
		out = append(out, f)
	}
	return out
}

// errorSpot narrows an ERROR node to where the parser got stuck: tree-sitter
// often wraps valid statements before the fault into the ERROR node, so
// skip the children that parsed cleanly.
func errorSpot(m *pyparse.Module, id pyparse.NodeID) pyparse.NodeID {
	for depth := 0; depth < 100; depth++ {
		next := pyparse.NoNode
		for c := m.N(id).FirstChild; c != pyparse.NoNode; c = m.N(c).NextSibling {
			if m.Kind(c) == pyparse.KComment {
				continue
			}
			if !m.N(c).Named || hasError(m, c) {
				next = c
				break
			}
		}
		if next == pyparse.NoNode || !m.N(next).Named {
			if next != pyparse.NoNode && m.Kind(id) == pyparse.KError {
				return next
			}
			return id
		}
		id = next
	}
	return id
}

func hasError(m *pyparse.Module, id pyparse.NodeID) bool {
	for n := id; n < m.End(id); n++ {
		if m.Kind(n) == pyparse.KError || m.N(n).Missing {
			return true
		}
	}
	return false
}
