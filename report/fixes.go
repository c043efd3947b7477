package report

import (
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/sparklint/sparklint/lint"
)

// FileFixes counts the fixes of one file by rule code.
type FileFixes struct {
	Path   string
	Counts map[string]int
}

// FixesOf turns the changes of a run (lint.Result.Changes) into per-file
// counts.
func FixesOf(changes []lint.FileChange) []FileFixes {
	var out []FileFixes
	for _, c := range changes {
		if len(c.Fixes) > 0 {
			out = append(out, FileFixes{Path: c.Path, Counts: c.Fixes})
		}
	}
	return out
}

// AvailableFixes counts, per file, the findings --fix would fix: those
// with a safe fix, and with unsafe those with an unsafe fix too.
func AvailableFixes(findings []lint.Finding, unsafe bool) []FileFixes {
	byPath := map[string]map[string]int{}
	var order []string
	for i := range findings {
		f := &findings[i]
		if !fixable(f) && !(unsafe && unsafeFixable(f)) {
			continue
		}
		m := byPath[f.Path]
		if m == nil {
			m = map[string]int{}
			byPath[f.Path] = m
			order = append(order, f.Path)
		}
		m[f.Code]++
	}
	sort.Strings(order)
	out := make([]FileFixes, 0, len(order))
	for _, p := range order {
		out = append(out, FileFixes{Path: p, Counts: byPath[p]})
	}
	return out
}

// FixListing says which fixes ShowFixes lists.
type FixListing int

// The listings of ShowFixes.
const (
	FixesApplied   FixListing = iota // --fix: "Fixed N errors:"
	FixesWouldFix                    // --diff: "Would fix N errors:"
	FixesAvailable                   // neither: "N fixable errors:"
)

// ShowFixes lists fixes per file, as Ruff's --show-fixes does:
//
//	Fixed 3 errors:
//	- jobs/etl.py:
//	    2 × SPK201 (group-by-key)
//	    1 × SPK401 (udf-replaceable-by-builtin)
//
// name gives a rule's name from its code ("" to leave it out). When there
// is nothing to list, a line says so.
func ShowFixes(w io.Writer, kind FixListing, files []FileFixes, name func(code string) string, color bool) error {
	ew := newWriter(w)
	p := painter(color)
	total, widest := 0, 0
	for _, f := range files {
		for _, n := range f.Counts {
			total += n
			widest = max(widest, n)
		}
	}
	errs := strconv.Itoa(total) + " " + plural(total, "error", "errors")
	var title string
	switch {
	case kind == FixesApplied && total == 0:
		title = "No errors fixed."
	case kind == FixesApplied:
		title = "Fixed " + errs + ":"
	case kind == FixesWouldFix && total == 0:
		title = "No errors would be fixed."
	case kind == FixesWouldFix:
		title = "Would fix " + errs + ":"
	case total == 0:
		title = "No fixes available."
	default:
		title = strconv.Itoa(total) + " fixable " + plural(total, "error", "errors") + ":"
	}
	if total == 0 {
		ew.printf("%s\n", title)
		return ew.flush()
	}
	ew.printf("%s\n", p.paint(green+bold, title))
	width := len(strconv.Itoa(widest))
	for _, f := range files {
		if len(f.Counts) == 0 {
			continue
		}
		ew.printf("%s %s%s\n", p.paint(cyan, "-"), p.paint(bold, escape(f.Path)), p.paint(cyan, ":"))
		codes := make([]string, 0, len(f.Counts))
		for c := range f.Counts {
			codes = append(codes, c)
		}
		sort.Slice(codes, func(i, j int) bool {
			a, b := f.Counts[codes[i]], f.Counts[codes[j]]
			if a != b {
				return a > b
			}
			return codes[i] < codes[j]
		})
		for _, c := range codes {
			n := strconv.Itoa(f.Counts[c])
			label := p.paint(boldRed, c)
			if nm := name(c); nm != "" {
				label += " (" + nm + ")"
			}
			ew.printf("    %s%s × %s\n", strings.Repeat(" ", width-len(n)), n, label)
		}
	}
	return ew.flush()
}
