package report

import (
	"io"
	"strconv"
	"strings"

	"github.com/sparklint/sparklint/lint"
)

// GitHub writes one GitHub Actions workflow command per finding, which
// the Actions runner turns into an annotation on the pull request:
//
//	::error title=SPK201 group-by-key,file=jobs/etl.py,line=12,col=15,endLine=12,endColumn=44::message
//
// The message carries the fix as a "help:" line and related locations as
// "note:" lines. Values are escaped as the runner expects (%, CR and LF
// everywhere; also ":" and "," in properties), so that a message or a
// file name cannot end the command early or inject another one.
//
// Columns are 1-based characters and endColumn is exclusive, as in the
// JSON output; an empty range gives its start only. A finding in a Jupyter notebook has rows counted within
// its cell, which mean nothing in the .ipynb file: it is annotated on the
// file as a whole, with the cell and position at the start of the message.
func GitHub(w io.Writer, findings []lint.Finding) error {
	ew := newWriter(w)
	for i := range findings {
		f := &findings[i]
		var b strings.Builder
		b.WriteString("::error title=")
		b.WriteString(ghProperty(f.Code + " " + f.Name))
		b.WriteString(",file=")
		b.WriteString(ghProperty(f.Path))
		if r := region(f.Location, f.End); r != nil && f.Cell == 0 {
			b.WriteString(",line=" + strconv.Itoa(r.StartLine) + ",col=" + strconv.Itoa(r.StartColumn))
			if r.EndLine > 0 {
				b.WriteString(",endLine=" + strconv.Itoa(r.EndLine) + ",endColumn=" + strconv.Itoa(r.EndColumn))
			}
		}
		b.WriteString("::")
		b.WriteString(ghData(cellPrefix(f) + f.Message + details(f)))
		b.WriteByte('\n')
		ew.printf("%s", b.String())
	}
	return ew.flush()
}

// cellPrefix is "cell 3:2:5: " for a finding in a Jupyter notebook (cell,
// row and column within the cell), for formats whose positions can only
// point into the .ipynb file itself; "" elsewhere.
func cellPrefix(f *lint.Finding) string {
	if f.Cell <= 0 {
		return ""
	}
	return "cell " + strconv.Itoa(f.Cell) + ":" + strconv.Itoa(f.Location.Row) + ":" + strconv.Itoa(f.Location.Column) + ": "
}

// details is the fix and the related locations of f as extra lines
// ("help: ...", "note: ... (path:row:col)"), as the text output shows
// them below the snippet.
func details(f *lint.Finding) string {
	var b strings.Builder
	if f.Fix != nil && f.Fix.Message != "" {
		b.WriteString("\nhelp: " + f.Fix.Message)
	}
	for _, r := range f.Related {
		b.WriteString("\nnote: " + r.Message + " (" + r.Path + ":" + strconv.Itoa(r.Location.Row) + ":" + strconv.Itoa(r.Location.Column) + ")")
	}
	return b.String()
}

// ghData escapes the message of a workflow command.
var ghData = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace

// ghProperty escapes a property value of a workflow command.
var ghProperty = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace
