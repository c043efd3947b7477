package report

import (
	"fmt"
	"io"
	"sort"

	"github.com/sparklint/sparklint/lint"
)

// Statistic is the number of findings of one rule.
type Statistic struct {
	Code    string `json:"code"`
	Name    string `json:"name"`
	Count   int    `json:"count"`
	Fixable bool   `json:"fixable"`
}

// Count groups findings by rule code, most frequent first (then by code).
// A rule is fixable when any of its findings has a safe fix.
func Count(findings []lint.Finding) []Statistic {
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
		out[j].Fixable = out[j].Fixable || fixable(f)
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
// count, code and name in tab-separated columns, with a "[*]" (or "[ ]")
// fixability marker before the name when any rule is fixable.
func Statistics(w io.Writer, findings []lint.Finding) error {
	stats := Count(findings)
	countWidth, codeWidth, anyFixable := 0, 0, false
	for _, s := range stats {
		countWidth = max(countWidth, len(fmt.Sprint(s.Count)))
		codeWidth = max(codeWidth, len(s.Code))
		anyFixable = anyFixable || s.Fixable
	}
	ew := newWriter(w)
	for _, s := range stats {
		marker := ""
		if anyFixable {
			marker = "[ ] "
			if s.Fixable {
				marker = "[*] "
			}
		}
		ew.printf("%*d\t%-*s\t%s%s\n", countWidth, s.Count, codeWidth, s.Code, marker, s.Name)
	}
	return ew.flush()
}

// StatisticsJSON writes the per-rule counts as a JSON array, as
// `ruff check --statistics --output-format json` does.
func StatisticsJSON(w io.Writer, findings []lint.Finding) error {
	stats := Count(findings)
	if stats == nil {
		stats = []Statistic{}
	}
	return writeJSON(w, stats)
}
