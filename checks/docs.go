package checks

import (
	"fmt"
	"strings"
)

// DocsMarkdown renders the rule reference (docs/rules.md): a table of all
// rules, then each rule's documentation.
func DocsMarkdown() string {
	var b strings.Builder
	b.WriteString("# sparklint rules\n\n<!-- Generated from the rule docs in checks/ by `UPDATE_DOCS=1 go test ./checks -run TestRulesDoc`; do not edit. -->\n\n")
	b.WriteString("| code | name | fix | summary |\n|---|---|---|---|\n")
	for _, r := range All() {
		fix := ""
		if r.Fix != FixNone {
			fix = string(r.Fix)
		}
		fmt.Fprintf(&b, "| [%s](#%s) | %s | %s | %s |\n", r.Code, anchor(r), r.Name, fix, strings.ReplaceAll(r.Summary, "|", "\\|"))
	}
	for _, r := range All() {
		b.WriteString("\n<a id=\"" + anchor(r) + "\"></a>\n\n")
		md := r.Markdown()
		// Rule docs are level-1 documents on their own; nest them here.
		md = strings.ReplaceAll(md, "\n## ", "\n### ")
		md = strings.Replace(md, "# ", "## ", 1)
		b.WriteString(md)
	}
	return b.String()
}

func anchor(r *Rule) string { return strings.ToLower(r.Code) + "-" + r.Name }
