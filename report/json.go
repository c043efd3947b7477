package report

import (
	"bytes"
	"encoding/json"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/sparklint/sparklint/lint"
)

// JSON writes findings as a JSON array in Ruff's `--output-format json`
// format, field for field and in Ruff's (alphabetical) order, indented
// with two spaces as serde_json prints it, so that tools written for Ruff
// read sparklint's output unchanged; an empty run writes `[]`. cell is
// always null (positions are in the source file itself). Filenames are
// written as the engine gives them (relative to the working folder when
// inside it).
//
// The writer is hand-rolled rather than encoding/json with SetIndent:
// large runs produce megabytes of JSON, and encoding then re-indenting it
// cost more than serving the whole run from the cache.
func JSON(w io.Writer, findings []lint.Finding) error {
	if len(findings) == 0 {
		_, err := io.WriteString(w, "[]\n")
		return err
	}
	b := make([]byte, 0, 1024*len(findings))
	b = append(b, "[\n"...)
	for i := range findings {
		f := &findings[i]
		if i > 0 {
			b = append(b, ",\n"...)
		}
		if f.Cell > 0 {
			b = append(b, "  {\n    \"cell\": "...)
			b = strconv.AppendInt(b, int64(f.Cell), 10)
			b = append(b, ",\n    \"code\": "...)
		} else {
			b = append(b, "  {\n    \"cell\": null,\n    \"code\": "...)
		}
		b = appendString(b, f.Code)
		b = append(b, ",\n    \"end_location\": "...)
		b = appendLocation(b, f.End, "    ")
		b = append(b, ",\n    \"filename\": "...)
		b = appendString(b, f.Path)
		b = append(b, ",\n    \"fix\": "...)
		b = appendFix(b, f.Fix)
		b = append(b, ",\n    \"location\": "...)
		b = appendLocation(b, f.Location, "    ")
		b = append(b, ",\n    \"message\": "...)
		b = appendString(b, f.Message)
		b = append(b, ",\n    \"noqa_row\": "...)
		b = strconv.AppendInt(b, int64(f.NoqaRow), 10)
		b = append(b, ",\n    \"url\": "...)
		b = appendOptString(b, f.URL)
		b = append(b, "\n  }"...)
	}
	b = append(b, "\n]\n"...)
	_, err := w.Write(b)
	return err
}

// appendLocation appends {"column": c, "row": r} indented below indent.
func appendLocation(b []byte, p lint.Position, indent string) []byte {
	b = append(b, "{\n"...)
	b = append(b, indent...)
	b = append(b, "  \"column\": "...)
	b = strconv.AppendInt(b, int64(p.Column), 10)
	b = append(b, ",\n"...)
	b = append(b, indent...)
	b = append(b, "  \"row\": "...)
	b = strconv.AppendInt(b, int64(p.Row), 10)
	b = append(b, '\n')
	b = append(b, indent...)
	return append(b, '}')
}

func appendFix(b []byte, fix *lint.Fix) []byte {
	if fix == nil {
		return append(b, "null"...)
	}
	edits := append([]lint.Edit(nil), fix.Edits...)
	sort.SliceStable(edits, func(i, j int) bool {
		a, c := edits[i].Location, edits[j].Location
		return a.Row < c.Row || (a.Row == c.Row && a.Column < c.Column)
	})
	b = append(b, "{\n      \"applicability\": "...)
	b = appendString(b, fix.Applicability)
	b = append(b, ",\n      \"edits\": "...)
	if len(edits) == 0 {
		b = append(b, "[]"...)
	} else {
		b = append(b, "[\n"...)
		for i, e := range edits {
			if i > 0 {
				b = append(b, ",\n"...)
			}
			b = append(b, "        {\n          \"content\": "...)
			b = appendString(b, e.Content)
			b = append(b, ",\n          \"end_location\": "...)
			b = appendLocation(b, e.End, "          ")
			b = append(b, ",\n          \"location\": "...)
			b = appendLocation(b, e.Location, "          ")
			b = append(b, "\n        }"...)
		}
		b = append(b, "\n      ]"...)
	}
	b = append(b, ",\n      \"message\": "...)
	b = appendOptString(b, fix.Message)
	return append(b, "\n    }"...)
}

// appendOptString appends s as a JSON string, or null when it is empty
// (Ruff's optional fields).
func appendOptString(b []byte, s string) []byte {
	if s == "" {
		return append(b, "null"...)
	}
	return appendString(b, s)
}

// appendString appends s as a JSON string escaped as serde_json does:
// quotes, backslashes and control characters only; other characters,
// non-ASCII included, are written as they are.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	if !utf8.ValidString(s) {
		// File names need not be UTF-8; JSON must be.
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"':
			b = append(b, '\\', '"')
		case '\\':
			b = append(b, '\\', '\\')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// writeJSON encodes v indented, without Go's HTML escaping of <, > and &
// (serde_json, which Ruff uses, does not escape them either).
func writeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}
