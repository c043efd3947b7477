package lsp

import (
	"bytes"
	"go/token"
	"net/url"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/sparklint/sparklint/lint"
	"github.com/sparklint/sparklint/pyparse"
)

// document is an open text document: its text, the tree-sitter tree of
// its last parse (told of every edit since), and its last analysis.
type document struct {
	uri, path string
	// skip is true for documents sparklint does not analyse here (other
	// languages, notebook cells): they get no diagnostics of their own.
	skip bool
	// nb is set for the document analysed for a notebook (its cells
	// joined); inNotebook for a cell, with its kind and language.
	nb, inNotebook *notebook
	cellKind       int
	languageID     string

	mu      sync.Mutex
	text    []byte // never modified in place: analyses keep old texts
	lines   []int  // start offset of each line (a last empty line too)
	version int32  // the client's version
	gen     uint64 // our count of changes, for staleness
	tree    *pyparse.Tree
	closed  bool
	timer   *time.Timer
	result  *result
	fresh   chan struct{} // closed (and replaced) when a result is stored
	// reported is the last report of pulled diagnostics, published the
	// last pushed diagnostics.
	reported  *report
	published *[]Diagnostic

	// Only the analysis worker touches these.
	module       *pyparse.Module
	moduleFset   *token.FileSet
	registeredIn *lint.Project
	// excluded says whether excludedBy's configuration excludes the
	// file (d.mu held).
	excludedBy *lint.Session
	excluded   bool
}

// result is one analysis of a document.
type result struct {
	gen      uint64
	version  int32
	module   *pyparse.Module // nil when not parsed
	text     []byte
	findings []lint.Finding // located in the document
	deps     map[string]string
	// excluded: the configuration excludes the file (no diagnostics).
	excluded bool
	// For a notebook: the URI of every cell by index, and the code cells
	// checked.
	cellURIs []string
	code     []pyparse.CodeCell

	linesOnce sync.Once
	lines     []int
}

// report is a set of diagnostics sent to a pull client, and its id.
type report struct {
	id    string
	diags []Diagnostic
}

func newDocument(uri, path string, version int32, text []byte) *document {
	return &document{uri: uri, path: path, version: version, text: text, lines: lineStarts(text), fresh: make(chan struct{})}
}

// lineStarts returns where each line starts, as the LSP counts lines: a
// text ending with a line break has an empty last line.
func lineStarts(src []byte) []int {
	starts := make([]int, 1, bytes.Count(src, []byte{'\n'})+1)
	for i := 0; ; {
		j := bytes.IndexByte(src[i:], '\n')
		if j < 0 {
			return starts
		}
		i += j + 1
		starts = append(starts, i)
	}
}

// lineContent returns the byte span of line's text without its line
// break.
func lineContent(src []byte, lines []int, line int) (start, end int) {
	start = lines[line]
	end = len(src)
	if line+1 < len(lines) {
		end = lines[line+1] - 1
		if end > start && src[end-1] == '\r' {
			end--
		}
	}
	return start, end
}

// offsetOf converts an LSP position to a byte offset, a row and a byte
// column (tree-sitter's point), clamping positions outside the text: a
// line past the end is the end of the text, a character past the end of
// its line is the end of the line. clamped reports whether it had to.
func offsetOf(src []byte, lines []int, p Position) (off, row, col int, clamped bool) {
	if p.Line < 0 {
		return 0, 0, 0, true
	}
	if p.Line >= len(lines) {
		last := len(lines) - 1
		return len(src), last, len(src) - lines[last], true
	}
	start, end := lineContent(src, lines, p.Line)
	b := utf16ToByte(src[start:end], p.Character)
	clamped = p.Character < 0 || b == end-start && utf16Len(src[start:end]) < p.Character
	return start + b, p.Line, b, clamped
}

// utf16ToByte returns the byte offset in line of UTF-16 column col
// (clamped to the line; a column inside a surrogate pair is the start of
// its character).
func utf16ToByte(line []byte, col int) int {
	units := 0
	for i := 0; i < len(line); {
		if units >= col {
			return i
		}
		r, size := utf8.DecodeRune(line[i:])
		if r >= 0x10000 {
			units += 2
		} else {
			units++
		}
		if units > col {
			return i
		}
		i += size
	}
	return len(line)
}

func utf16Len(b []byte) int {
	n := 0
	for _, r := range string(b) {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// charToUTF16 converts a 1-based column counted in characters (a
// lint.Position) on line to a 0-based UTF-16 column.
func charToUTF16(line string, col int) int {
	n, i := 0, 1
	for _, r := range line {
		if i >= col {
			break
		}
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
		i++
	}
	return n
}

// apply applies one content change (d.mu held), telling the tree about
// it. It reports whether the range had to be clamped.
func (d *document) apply(ch TextDocumentContentChangeEvent) bool {
	if ch.Range == nil {
		d.text = []byte(ch.Text)
		d.lines = lineStarts(d.text)
		d.tree.Close() // a full reparse
		d.tree = nil
		return false
	}
	s, sRow, sCol, c1 := offsetOf(d.text, d.lines, ch.Range.Start)
	e, eRow, eCol, c2 := offsetOf(d.text, d.lines, ch.Range.End)
	if e < s {
		e, eRow, eCol = s, sRow, sCol
		c2 = true
	}
	nt := make([]byte, 0, len(d.text)-(e-s)+len(ch.Text))
	nt = append(nt, d.text[:s]...)
	nt = append(nt, ch.Text...)
	nt = append(nt, d.text[e:]...)
	nRow, nCol := sRow, sCol+len(ch.Text)
	if k := strings.Count(ch.Text, "\n"); k > 0 {
		nRow = sRow + k
		nCol = len(ch.Text) - strings.LastIndexByte(ch.Text, '\n') - 1
	}
	d.tree.Edit(pyparse.InputEdit{
		StartByte: uint32(s), OldEndByte: uint32(e), NewEndByte: uint32(s + len(ch.Text)),
		StartRow: uint32(sRow), StartCol: uint32(sCol),
		OldEndRow: uint32(eRow), OldEndCol: uint32(eCol),
		NewEndRow: uint32(nRow), NewEndCol: uint32(nCol),
	})
	d.text = nt
	d.lines = lineStarts(nt)
	return c1 || c2
}

// uriToPath returns the file path of a document URI. Other schemes
// (untitled:) get a path under the system's temporary folder, so that
// they can be checked like files.
func uriToPath(uri string) string {
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "file" {
		name := uri
		if err == nil {
			name = u.Opaque + u.Path
		}
		name = strings.Map(func(r rune) rune {
			if r == '/' || r == '\\' || r == ':' {
				return '_'
			}
			return r
		}, name)
		if !strings.HasSuffix(name, ".py") {
			name += ".py"
		}
		return filepath.Join(filepath.FromSlash("/sparklint-untitled"), name)
	}
	p := u.Path
	if runtime.GOOS == "windows" && len(p) >= 3 && p[0] == '/' && p[2] == ':' {
		p = p[1:]
	}
	return filepath.Clean(filepath.FromSlash(p))
}

// pathToURI is the file URI of path.
func pathToURI(path string) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}
