package report

import (
	"io"
	"sort"
	"strconv"

	"github.com/sparklint/sparklint/lint"
)

// JSONLines writes one compact JSON object per finding and line, with the
// fields of the JSON output (Ruff's schema) in the same order, as Ruff's
// `--output-format json-lines` does. A clean run writes nothing.
func JSONLines(w io.Writer, findings []lint.Finding) error {
	ew := newWriter(w)
	var b []byte
	for i := range findings {
		f := &findings[i]
		b = b[:0]
		b = append(b, `{"cell":`...)
		if f.Cell > 0 {
			b = appendInt(b, f.Cell)
		} else {
			b = append(b, "null"...)
		}
		b = append(b, `,"code":`...)
		b = appendString(b, f.Code)
		b = append(b, `,"end_location":`...)
		b = appendCompactLocation(b, f.End)
		b = append(b, `,"filename":`...)
		b = appendString(b, f.Path)
		b = append(b, `,"fix":`...)
		b = appendCompactFix(b, f.Fix)
		b = append(b, `,"location":`...)
		b = appendCompactLocation(b, f.Location)
		b = append(b, `,"message":`...)
		b = appendString(b, f.Message)
		b = append(b, `,"noqa_row":`...)
		b = appendInt(b, f.NoqaRow)
		b = append(b, `,"url":`...)
		b = appendOptString(b, f.URL)
		b = append(b, "}\n"...)
		ew.printf("%s", b)
	}
	return ew.flush()
}

func appendCompactLocation(b []byte, p lint.Position) []byte {
	b = append(b, `{"column":`...)
	b = appendInt(b, p.Column)
	b = append(b, `,"row":`...)
	b = appendInt(b, p.Row)
	return append(b, '}')
}

func appendCompactFix(b []byte, fix *lint.Fix) []byte {
	if fix == nil {
		return append(b, "null"...)
	}
	b = append(b, `{"applicability":`...)
	b = appendString(b, fix.Applicability)
	b = append(b, `,"edits":[`...)
	for i, e := range sortedEdits(fix.Edits) {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"content":`...)
		b = appendString(b, e.Content)
		b = append(b, `,"end_location":`...)
		b = appendCompactLocation(b, e.End)
		b = append(b, `,"location":`...)
		b = appendCompactLocation(b, e.Location)
		b = append(b, '}')
	}
	b = append(b, `],"message":`...)
	b = appendOptString(b, fix.Message)
	return append(b, '}')
}

func appendInt(b []byte, n int) []byte { return strconv.AppendInt(b, int64(n), 10) }

// sortedEdits returns a copy of edits sorted by position, as Ruff orders
// them.
func sortedEdits(edits []lint.Edit) []lint.Edit {
	out := append([]lint.Edit(nil), edits...)
	sort.SliceStable(out, func(i, j int) bool {
		a, c := out[i].Location, out[j].Location
		return a.Row < c.Row || (a.Row == c.Row && a.Column < c.Column)
	})
	return out
}
