package report

import (
	"fmt"
	"io"
	"sort"

	"github.com/sparklint/sparklint/lint"
)

// Statistic is the number of findings of one rule, in the shape of
// `ruff check --statistics --output-format json`.
type Statistic struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Count int    `json:"count"`
	// Fixable is true when every finding of the rule has a fix that --fix
	// applies (Ruff's meaning, kept for compatibility); FixableCount is
	// how many do.
	Fixable      bool `json:"fixable"`
	FixableCount int  `json:"fixable_count"`
}

// Count groups findings by rule code, most frequent first (then by code).
// A finding is fixable when it has a safe fix, or, with unsafe
// (--unsafe-fixes), an unsafe one.
func Count(findings []lint.Finding, unsafe bool) []Statistic {
	idx := map[string]int{}
	var out []Statistic
	for i := range findings {
		f := &findings[i]
		j, ok := idx[f.Code]
		if !ok {
			j = len(out)
			idx[f.Code] = j
			out = append(out, Statistic{Code: f.Code, Name: f.Name})
		}
		out[j].Count++
		if fixable(f) || (unsafe && unsafeFixable(f)) {
			out[j].FixableCount++
		}
	}
	for i := range out {
		out[i].Fixable = out[i].FixableCount == out[i].Count
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Code < out[j].Code
	})
	return out
}

// Statistics writes the per-rule counts as `ruff check --statistics` does:
// count, code and name in tab-separated columns, with a fixability marker
// before the name when any finding is fixable: "[*]" when all the rule's
// findings are, "[-]" when some are, "[ ]" when none is.
func Statistics(w io.Writer, findings []lint.Finding, unsafe bool) error {
	stats := Count(findings, unsafe)
	countWidth, codeWidth, anyFixable := 0, 0, false
	for _, s := range stats {
		countWidth = max(countWidth, len(fmt.Sprint(s.Count)))
		codeWidth = max(codeWidth, len(s.Code))
		anyFixable = anyFixable || s.FixableCount > 0
	}
	ew := newWriter(w)
	for _, s := range stats {
		marker := ""
		if anyFixable {
			switch {
			case s.Fixable:
				marker = "[*] "
			case s.FixableCount > 0:
				marker = "[-] "
			default:
				marker = "[ ] "
			}
		}
		ew.printf("%*d\t%-*s\t%s%s\n", countWidth, s.Count, codeWidth, s.Code, marker, s.Name)
	}
	return ew.flush()
}

// StatisticsJSON writes the per-rule counts as a JSON array, as
// `ruff check --statistics --output-format json` does.
func StatisticsJSON(w io.Writer, findings []lint.Finding, unsafe bool) error {
	stats := Count(findings, unsafe)
	if stats == nil {
		stats = []Statistic{}
	}
	return writeJSON(w, stats)
}
