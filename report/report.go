// Package report renders the results of a run: Ruff-like text for people,
// Ruff-compatible JSON (and JSON lines) for tools, the formats CI systems
// read (GitHub Actions annotations, SARIF 2.1.0, GitLab Code Quality,
// JUnit XML), per-rule statistics, and the per-file error lines that go
// to standard error.
//
// Every function writes findings in the order it is given them; the engine
// sorts them (by path, row, column, code), so output is deterministic.
package report

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sparklint/sparklint/lint"
)

// ANSI styles, as Ruff uses them: bold paths, red codes, cyan markers.
const (
	reset   = "\x1b[0m"
	bold    = "\x1b[1m"
	red     = "\x1b[31m"
	green   = "\x1b[32m"
	blue    = "\x1b[34m"
	cyan    = "\x1b[36m"
	boldRed = "\x1b[1;31m"
)

type painter bool

func (p painter) paint(style, s string) string {
	if !p || s == "" {
		return s
	}
	return style + s + reset
}

// ColorEnabled reports whether output to w should be coloured: w is a
// terminal, NO_COLOR is unset (https://no-color.org) and TERM is not
// "dumb". Pipes, files and buffers get plain text.
func ColorEnabled(w io.Writer) bool {
	if os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// TextOptions tune Text.
type TextOptions struct {
	// Color turns on ANSI colours (see ColorEnabled).
	Color bool
	// Concise prints one line per finding, without the source snippet.
	Concise bool
	// Fixed is the number of fixes applied by --fix, for the summary.
	Fixed int
	// UnsafeFixes counts unsafe fixes as available (--unsafe-fixes);
	// otherwise the summary says how many are hidden.
	UnsafeFixes bool
}

// Text writes findings as Ruff's "full" output format does: a header line
// `path:row:col: CODE [*] message` (the [*] marks a safe fix), the
// offending source line with the reported range underlined, the fix as a
// help line and related locations as notes; then a summary. errs are the
// files that could not be checked (written to stderr by Errors); Text
// only counts them in the summary, so that "All checks passed!" is never
// printed over files that were not checked.
func Text(w io.Writer, findings []lint.Finding, errs []lint.FileError, opts TextOptions) error {
	ew := newWriter(w)
	p := painter(opts.Color)
	for i := range findings {
		f := &findings[i]
		writeHeader(ew, p, f, opts.UnsafeFixes)
		if !opts.Concise && f.Location.Row > 0 {
			writeSnippet(ew, p, f)
		}
	}
	writeSummary(ew, p, findings, errs, opts.Fixed, opts.UnsafeFixes)
	return ew.flush()
}

func writeHeader(w *errWriter, p painter, f *lint.Finding, unsafe bool) {
	colon := p.paint(cyan, ":")
	marker := ""
	if fixable(f) || (unsafe && unsafeFixable(f)) {
		marker = p.paint(cyan, "[*]") + " "
	}
	cell := ""
	if f.Cell > 0 {
		cell = "cell " + strconv.Itoa(f.Cell) + colon
	}
	w.printf("%s%s%s%d%s%d%s %s %s%s\n", p.paint(bold, escape(f.Path)), colon, cell, f.Location.Row, colon,
		f.Location.Column, colon, p.paint(boldRed, f.Code), marker, escape(f.Message))
}

// escape makes s safe to write to a terminal: control characters (ESC,
// BEL, newlines, C1 controls...), bidirectional formatting characters and
// bytes that are not UTF-8 are written as Go escapes (`\x1b`, `\n`,
// `\u202e`, `\xff`). File names may hold any of them; written raw, they
// could rewrite the terminal or hide what a line says. Backslashes are
// kept as they are (Windows paths). JSON output escapes on its own.
func escape(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// printable replaces the control characters of a source line (tabs aside,
// which underline expands) by their Unicode control pictures ("␛" for
// ESC), as Ruff does: one column each, so the carets still line up.
func printable(line string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t':
			return r
		case r < 0x20:
			return 0x2400 + r
		case r == 0x7f:
			return 0x2421
		case unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r):
			return 0xfffd
		}
		return r
	}, line)
}

// writeSnippet writes the source line of f with its range underlined:
//
//	  |
//	3 |     rdd.groupByKey()
//	  |         ^^^^^^^^^^^^ SPK201
//	  |
//	  = help: ...
func writeSnippet(w *errWriter, p painter, f *lint.Finding) {
	num := strconv.Itoa(f.Location.Row)
	pad := strings.Repeat(" ", len(num)+1)
	gutter := p.paint(blue+bold, "|")
	line, start, width := underline(f)
	w.printf("%s%s\n", pad, gutter)
	w.printf("%s %s%s\n", p.paint(blue+bold, num), gutter, strings.TrimRight(" "+line, " "))
	w.printf("%s%s %s%s %s\n", pad, gutter, strings.Repeat(" ", start),
		p.paint(boldRed, strings.Repeat("^", width)), p.paint(boldRed, f.Code))
	w.printf("%s%s\n", pad, gutter)
	eq := p.paint(blue+bold, "=")
	if f.Fix != nil && f.Fix.Message != "" {
		w.printf("%s%s %s %s\n", pad, eq, p.paint(bold, "help:"), escape(f.Fix.Message))
	}
	for _, r := range f.Related {
		where := escape(r.Path)
		if r.Cell > 0 {
			where += ":cell " + strconv.Itoa(r.Cell)
		}
		w.printf("%s%s %s %s (%s:%d:%d)\n", pad, eq, p.paint(bold, "note:"), escape(r.Message), where, r.Location.Row, r.Location.Column)
	}
	w.printf("\n")
}

// underline returns the source line to display (tabs expanded, so that the
// carets line up in a terminal), the display column where the reported
// range starts and its width, at least one caret. A range that runs past
// the line is underlined to the line's end.
func underline(f *lint.Finding) (line string, start, width int) {
	const tab = 4
	runes := []rune(printable(f.SourceLine))
	from := max(f.Location.Column-1, 0)
	from = min(from, len(runes))
	to := len(runes)
	if f.End.Row == f.Location.Row && f.End.Column > f.Location.Column {
		to = min(f.End.Column-1, len(runes))
	}
	var b strings.Builder
	col := 0
	for i, r := range runes {
		if i == from {
			start = col
		}
		if i == to {
			width = col - start
		}
		if r == '\t' {
			b.WriteString(strings.Repeat(" ", tab))
			col += tab
		} else {
			b.WriteRune(r)
			col++
		}
	}
	if from == len(runes) {
		start = col
	}
	if to == len(runes) {
		width = col - start
	}
	return b.String(), start, max(width, 1)
}

// fixable reports whether f has a safe fix (what --fix applies).
func fixable(f *lint.Finding) bool {
	return f.Fix != nil && f.Fix.Applicability == "safe" && len(f.Fix.Edits) > 0
}

// unsafeFixable reports whether f has an unsafe fix (--unsafe-fixes).
func unsafeFixable(f *lint.Finding) bool {
	return f.Fix != nil && f.Fix.Applicability == "unsafe" && len(f.Fix.Edits) > 0
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// writeSummary writes Ruff's closing lines: "Found N errors." or "All
// checks passed!", what --fix did, and how many findings it could fix.
func writeSummary(w *errWriter, p painter, findings []lint.Finding, errs []lint.FileError, fixed int, unsafeOn bool) {
	n := len(findings)
	switch {
	case n == 0 && fixed == 0 && len(errs) == 0:
		w.printf("%s\n", p.paint(green+bold, "All checks passed!"))
	case n == 0 && fixed == 0:
		w.printf("No errors found in the files checked.\n")
	case fixed > 0:
		total := n + fixed
		w.printf("Found %d %s (%d fixed, %d remaining).\n", total, plural(total, "error", "errors"), fixed, n)
	default:
		w.printf("Found %d %s.\n", n, plural(n, "error", "errors"))
	}
	if len(errs) > 0 {
		w.printf("%d %s could not be checked (see the messages above).\n", len(errs), plural(len(errs), "file", "files"))
	}
	safe, unsafe := 0, 0
	for i := range findings {
		switch {
		case fixable(&findings[i]):
			safe++
		case unsafeFixable(&findings[i]):
			unsafe++
		}
	}
	if unsafeOn {
		safe, unsafe = safe+unsafe, 0
	}
	hidden := ""
	if unsafe > 0 {
		hidden = fmt.Sprintf("%d hidden %s can be enabled with the `--unsafe-fixes` option", unsafe, plural(unsafe, "fix", "fixes"))
	}
	switch {
	case safe > 0 && hidden != "":
		w.printf("%s %d fixable with the `--fix` option (%s).\n", p.paint(cyan, "[*]"), safe, hidden)
	case safe > 0:
		w.printf("%s %d fixable with the `--fix` option.\n", p.paint(cyan, "[*]"), safe)
	case hidden != "":
		w.printf("No fixes available (%s).\n", hidden)
	}
}

// Errors writes one line per file that could not be checked, for
// standard error: `sparklint: path: message`. Failures of sparklint itself
// are marked "internal error" (they make the run exit with status 2).
func Errors(w io.Writer, errs []lint.FileError, color bool) error {
	ew := newWriter(w)
	p := painter(color)
	for _, e := range errs {
		msg := escape(e.Message)
		if e.Internal {
			// The engine's messages may already say so.
			if rest, ok := strings.CutPrefix(msg, "internal error"); ok {
				msg = p.paint(boldRed, "internal error") + rest
			} else {
				msg = p.paint(boldRed, "internal error") + ": " + msg
			}
		}
		ew.printf("sparklint: %s: %s\n", p.paint(bold, escape(e.Path)), msg)
	}
	return ew.flush()
}

// Warning writes a run-wide note for standard error.
func Warning(w io.Writer, msg string, color bool) error {
	ew := newWriter(w)
	ew.printf("sparklint: %s %s\n", painter(color).paint(bold+"\x1b[33m", "warning:"), escape(msg))
	return ew.flush()
}

// errWriter buffers output (a run can print thousands of lines, and
// os.Stdout is unbuffered) and keeps the first write error, so that the
// renderers can write freely and report it once, from flush.
type errWriter struct {
	w   *bufio.Writer
	err error
}

func newWriter(w io.Writer) *errWriter { return &errWriter{w: bufio.NewWriterSize(w, 64<<10)} }

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}

func (e *errWriter) flush() error {
	if e.err == nil {
		e.err = e.w.Flush()
	}
	return e.err
}
