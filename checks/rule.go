// Package checks holds sparklint's rules, one file per rule named after it,
// and the registry that lists them. Each rule is a go/analysis Analyzer
// whose Name is its code (SPK201) plus the documentation that
// `sparklint rule CODE` prints. The shared analyses the rules build on live
// in the sub-packages sparktype (what expressions are in Spark terms) and
// executor (which functions run on executors and what they capture).
package checks

import (
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// FixAvailability says whether a rule offers fixes.
type FixAvailability string

// Fix availabilities, as Ruff names them.
const (
	FixNone      FixAvailability = "none"
	FixSometimes FixAvailability = "sometimes"
	FixAlways    FixAvailability = "always"
)

// UnsafeFix is the diagnostic Category a rule sets when its suggested fix
// is unsafe (go/analysis' SuggestedFix has no applicability of its own).
const UnsafeFix = "unsafe-fix"

// Rule is one check with its documentation.
type Rule struct {
	Code string // SPK201
	Name string // group-by-key
	// Summary is a one-line description for rule tables.
	Summary string
	// Doc sections, as Ruff documents rules.
	WhatItDoes, WhyBad, Example, UseInstead, FixSafety, KnownLimits string
	Fix                                                             FixAvailability
	// Triggers are byte strings at least one of which a file must contain
	// for the rule to have anything to find (the prefilter).
	Triggers []string
	Analyzer *analysis.Analyzer
}

// URL is where the rule's documentation lives.
func (r *Rule) URL() string {
	return "https://github.com/sparklint/sparklint/blob/main/docs/rules.md#" + strings.ToLower(r.Code) + "-" + r.Name
}

// Markdown renders the rule's documentation.
func (r *Rule) Markdown() string {
	var b strings.Builder
	b.WriteString("# " + r.Code + " " + r.Name + "\n\n")
	b.WriteString(r.Summary + "\n\n")
	section := func(title, body string) {
		if body == "" {
			return
		}
		b.WriteString("## " + title + "\n" + strings.TrimSpace(body) + "\n\n")
	}
	section("What it does", r.WhatItDoes)
	section("Why is this bad", r.WhyBad)
	if r.Example != "" {
		b.WriteString("## Example\n```python\n" + strings.TrimSpace(r.Example) + "\n```\n\n")
	}
	if r.UseInstead != "" {
		b.WriteString("## Use instead\n```python\n" + strings.TrimSpace(r.UseInstead) + "\n```\n\n")
	}
	section("Fix safety", r.FixSafety)
	section("Known limits", r.KnownLimits)
	return strings.TrimRight(b.String(), "\n") + "\n"
}

var registry = map[string]*Rule{}

func register(r *Rule) *Rule {
	if r.Analyzer.Name != r.Code {
		panic("checks: analyzer name must be the rule code: " + r.Code)
	}
	registry[r.Code] = r
	return r
}

// All returns every rule, sorted by code.
func All() []*Rule {
	out := make([]*Rule, 0, len(registry))
	for _, r := range registry {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// ByCode returns the rule with code, or nil.
func ByCode(code string) *Rule { return registry[strings.ToUpper(code)] }

// SyntaxError is SPK001: it has no analyzer; the engine reports it when a
// file does not parse cleanly.
var SyntaxError = &Rule{
	Code:       "SPK001",
	Name:       "syntax-error",
	Summary:    "The file has a syntax error; the rest of it is still checked.",
	WhatItDoes: "Reports the first syntax error tree-sitter finds in a file. The parser recovers, so the rest of the file is still analysed and its findings reported.",
	WhyBad:     "A file that does not parse fails when Spark's driver imports it or when it is shipped to executors as a py-file.",
	Fix:        FixNone,
}

// UnusedNoqa is SPK002: like SPK001 it has no analyzer; the engine checks
// the file's suppressions against the findings they suppressed.
var UnusedNoqa = &Rule{
	Code:    "SPK002",
	Name:    "unused-noqa",
	Summary: "A `# noqa: SPKnnn` comment suppresses nothing.",
	WhatItDoes: "Flags the SPK codes of a `# noqa: ...` comment that suppress no finding on their line (and SPK codes that do not exist). " +
		"Codes of other tools are left alone, as are bare `# noqa` comments and codes of rules that are not selected in the run.",
	WhyBad:     "A stale suppression hides the next real finding on that line, and it tells readers a problem exists where there is none.",
	Example:    `rows = spark.table("t").limit(10).collect()  # noqa: SPK301`,
	UseInstead: `rows = spark.table("t").limit(10).collect()`,
	FixSafety:  "Safe: the fix removes the unused codes, or the whole comment when nothing else is left in it.",
	KnownLimits: "Suppressions of the executor rules (SPK101, SPK103, SPK104) in a helper module are judged only inside functions the file itself ships: " +
		"the findings they suppress may come from another file's analysis.",
	Fix: FixAlways,
}

func init() {
	registry[SyntaxError.Code] = SyntaxError
	registry[UnusedNoqa.Code] = UnusedNoqa
}
