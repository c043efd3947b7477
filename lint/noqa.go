package lint

import (
	"fmt"
	"strings"

	"github.com/sparklint/sparklint/checks"
	"github.com/sparklint/sparklint/checks/executor"
	"github.com/sparklint/sparklint/pyparse"
)

// suppressed reports whether a finding of code at offset off of m is
// suppressed, and records which noqa code was used (for SPK002).
func (c *Checker) suppressed(m *pyparse.Module, code string, off uint32, used map[int]map[string]bool) bool {
	if c.IgnoreNoqa {
		return false
	}
	line := m.Line(off)
	if m.Noqa.SuppressedBy(code, line) == pyparse.NotSuppressed {
		// As in Ruff, a finding inside a multi-line string or a statement
		// continued with "\" is suppressed at the line where it ends.
		line = noqaLine(m, off)
	}
	switch m.Noqa.SuppressedBy(code, line) {
	case pyparse.NotSuppressed:
		return false
	case pyparse.ByLineCode:
		if used[line] == nil {
			used[line] = map[string]bool{}
		}
		used[line][code] = true
	}
	return true
}

// crossFileRules are the rules whose findings in a module can come from
// the analysis of another file (a helper shipped from a job).
var crossFileRules = map[string]bool{"SPK101": true, "SPK103": true, "SPK104": true}

// unusedSuppressions reports SPK002 for the SPK codes of noqa comments in m
// that suppressed nothing.
func (c *Checker) unusedSuppressions(m *pyparse.Module, used map[int]map[string]bool, ex *executor.Info) []Finding {
	var out []Finding
	for line, sup := range m.Noqa.ByLine {
		if len(sup.Codes) == 0 {
			continue
		}
		var unused, unknown, keep []string
		for _, code := range sup.Codes {
			switch {
			case !strings.HasPrefix(code, "SPK"), code == checks.UnusedNoqa.Code:
				keep = append(keep, code) // another tool's, or ours about itself
			case checks.ByCode(code) == nil:
				unknown = append(unknown, code)
			case used[line][code]:
				keep = append(keep, code)
			case !c.active[code]:
				keep = append(keep, code) // not selected: cannot tell
			case crossFileRules[code] && !insideExecutorCode(m, ex, line):
				keep = append(keep, code) // may suppress a finding found from another file
			default:
				unused = append(unused, code)
			}
		}
		if len(unused)+len(unknown) == 0 {
			continue
		}
		var parts []string
		if len(unused) > 0 {
			parts = append(parts, "unused: `"+strings.Join(unused, "`, `")+"`")
		}
		if len(unknown) > 0 {
			parts = append(parts, "unknown: `"+strings.Join(unknown, "`, `")+"`")
		}
		f := c.finding(m, checks.UnusedNoqa, fmt.Sprintf("Unused `noqa` directive (%s)", strings.Join(parts, "; ")), sup.CodesStart, sup.CodesEnd)
		f.Fix = removeCodesFix(m, sup, keep)
		if len(m.Cells) > 0 && !c.CellFixes {
			f.Fix = nil
		}
		out = append(out, f)
	}
	return out
}

// insideExecutorCode reports whether 0-based line lies in a function this
// file's own analysis found to run on executors.
func insideExecutorCode(m *pyparse.Module, ex *executor.Info, line int) bool {
	if ex == nil {
		return false
	}
	for _, f := range ex.Funcs {
		if f.Fn.M != m {
			continue
		}
		n := m.N(f.Fn.N)
		if m.Line(n.Start) <= line && line <= m.Line(n.End) {
			return true
		}
	}
	return false
}

// removeCodesFix rewrites the code list to keep, or removes the comment
// when nothing is kept.
func removeCodesFix(m *pyparse.Module, sup *pyparse.Suppression, keep []string) *Fix {
	if len(keep) > 0 {
		text := strings.Join(keep, ", ")
		return &Fix{Applicability: "safe", Message: "Remove the unused codes", Edits: []Edit{c2e(m, sup.CodesStart, sup.CodesEnd, text)}}
	}
	// Remove "# noqa: X" and the whitespace before it. Text after the
	// codes (a reason, another tool's directive) stays; text before it
	// ("# type: ignore # noqa: X") stays too.
	comment := m.N(sup.Comment)
	text := string(m.Src[comment.Start:comment.End])
	hash := comment.Start
	if i := strings.Index(strings.ToLower(text), "noqa"); i > 0 {
		if j := strings.LastIndexByte(text[:i], '#'); j >= 0 {
			hash = comment.Start + uint32(j)
		}
	}
	start, end := hash, sup.CodesEnd
	for start > 0 && (m.Src[start-1] == ' ' || m.Src[start-1] == '\t') {
		start--
	}
	rest := strings.TrimSpace(string(m.Src[end:comment.End]))
	switch {
	case rest == "":
		end = comment.End
	case hash == comment.Start && !strings.HasPrefix(rest, "#"):
		// "# noqa: X reason": the reason alone would no longer be a comment.
		end = comment.End
	}
	return &Fix{Applicability: "safe", Message: "Remove the unused `noqa` directive", Edits: []Edit{c2e(m, start, end, "")}}
}

func c2e(m *pyparse.Module, start, end uint32, text string) Edit {
	a, b := m.RowCol(start)
	x, y := m.RowCol(end)
	return Edit{Content: text, Location: Position{a, b}, End: Position{x, y}, Offset: int(start), EndOffset: int(end)}
}

// noqaLine is the 0-based line where a suppression for a finding at off
// goes: the end of a multi-line string on its line, or of a statement
// continued with backslashes (see pyparse.Module.NoqaLine).
func noqaLine(m *pyparse.Module, off uint32) int {
	return m.NoqaLine(m.Line(off))
}
