package report

import (
	"encoding/xml"
	"io"
	"strconv"
	"strings"

	"github.com/sparklint/sparklint/lint"
)

// JUnit writes findings as a JUnit XML report, shaped as Ruff's: one
// <testsuite> per file (in the order the files first appear), one
// <testcase> per finding, named after its rule (org.sparklint.SPK201),
// with a <failure> that holds the message. A clean run writes a single
// passing test case, so that CI shows the check ran.
//
// Text is escaped for XML (line breaks kept in element text); characters XML 1.0 cannot hold (control
// characters in a file name) become U+FFFD.
func JUnit(w io.Writer, findings []lint.Finding) error {
	ew := newWriter(w)
	n := strconv.Itoa(len(findings))
	ew.printf("%s", xml.Header)
	ew.printf(`<testsuites name="sparklint" tests="%s" failures="%s" errors="0">`+"\n", n, n)
	if len(findings) == 0 {
		ew.printf(`    <testsuite name="sparklint" tests="1" disabled="0" errors="0" failures="0" package="org.sparklint">` + "\n")
		ew.printf(`        <testcase name="No errors found" classname="sparklint"/>` + "\n")
		ew.printf("    </testsuite>\n")
	}
	var order []string
	byFile := map[string][]*lint.Finding{}
	for i := range findings {
		f := &findings[i]
		if _, ok := byFile[f.Path]; !ok {
			order = append(order, f.Path)
		}
		byFile[f.Path] = append(byFile[f.Path], f)
	}
	for _, path := range order {
		fs := byFile[path]
		c := strconv.Itoa(len(fs))
		ew.printf(`    <testsuite name="%s" tests="%s" disabled="0" errors="0" failures="%s" package="org.sparklint">`+"\n", xmlText(path), c, c)
		for _, f := range fs {
			where := "line " + strconv.Itoa(f.Location.Row) + ", col " + strconv.Itoa(f.Location.Column)
			if f.Cell > 0 {
				where = "cell " + strconv.Itoa(f.Cell) + ", " + where
			}
			ew.printf(`        <testcase name="org.sparklint.%s" classname="%s" line="%d" column="%d">`+"\n",
				xmlText(f.Code), xmlText(path), f.Location.Row, f.Location.Column)
			ew.printf(`            <failure message="%s" type="%s">%s</failure>`+"\n",
				xmlText(f.Message), xmlText(f.Code+" "+f.Name), xmlBody(where+", "+f.Message+details(f)))
			ew.printf("        </testcase>\n")
		}
		ew.printf("    </testsuite>\n")
	}
	ew.printf("</testsuites>\n")
	return ew.flush()
}

// xmlText escapes s for XML text and attribute values.
func xmlText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// xmlBody escapes s for XML element text, where line breaks need no
// escaping.
func xmlBody(s string) string { return strings.ReplaceAll(xmlText(s), "&#xA;", "\n") }
