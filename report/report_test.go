package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sparklint/sparklint/lint"
)

var update = flag.Bool("update", false, "rewrite the golden files under fixtures/report")

const goldenDir = "../fixtures/report"

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join(goldenDir, name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

const url = "https://github.com/sparklint/sparklint/blob/main/docs/rules.md#"

// sample findings, in the engine's order, covering: a safe fix, an unsafe
// fix, a related location, a tab-indented line, non-ASCII text before the
// range, a range over several lines and a zero-width range on an empty
// line.
func sample() []lint.Finding {
	return []lint.Finding{
		{
			Code: "SPK201", Name: "group-by-key", Path: "jobs/etl.py",
			Message:  "`groupByKey().mapValues(sum)` ships every value: use `reduceByKey(operator.add)`",
			Location: lint.Position{Row: 12, Column: 15}, End: lint.Position{Row: 12, Column: 44}, NoqaRow: 12,
			URL:        url + "spk201-group-by-key",
			SourceLine: "totals = pairs.groupByKey().mapValues(sum)  # <&>",
			Fix: &lint.Fix{Applicability: "safe", Message: "Replace with `reduceByKey(operator.add)`", Edits: []lint.Edit{
				{Content: "reduceByKey(operator.add)", Location: lint.Position{Row: 12, Column: 16}, End: lint.Position{Row: 12, Column: 44}},
				{Content: "import operator\n", Location: lint.Position{Row: 1, Column: 1}, End: lint.Position{Row: 1, Column: 1}},
			}},
		},
		{
			Code: "SPK101", Name: "executor-mutates-driver-state", Path: "jobs/etl.py",
			Message:  "executor code appends to `seen`, a driver-side list: the update is lost",
			Location: lint.Position{Row: 20, Column: 2}, End: lint.Position{Row: 20, Column: 16}, NoqaRow: 20,
			URL:        url + "spk101-executor-mutates-driver-state",
			SourceLine: "\tseen.append(x)",
			Related:    []lint.Related{{Path: "jobs/etl.py", Location: lint.Position{Row: 23, Column: 1}, Message: "shipped to executors here"}},
		},
		{
			Code: "SPK401", Name: "udf-replaceable-by-builtin", Path: "jobs/naïve.py",
			Message:  "Python UDF `clean` only does what built-ins do: use `F.lower`",
			Location: lint.Position{Row: 3, Column: 8}, End: lint.Position{Row: 5, Column: 1}, NoqaRow: 3,
			URL:        url + "spk401-udf-replaceable-by-builtin",
			SourceLine: "café = udf(lambda s: (",
			Fix: &lint.Fix{Applicability: "unsafe", Message: "Use `F.lower`", Edits: []lint.Edit{
				{Content: "F.lower", Location: lint.Position{Row: 3, Column: 8}, End: lint.Position{Row: 5, Column: 1}},
			}},
		},
		{
			Code: "SPK001", Name: "syntax-error", Path: "z.py",
			Message:  "syntax error: unexpected end of file",
			Location: lint.Position{Row: 4, Column: 1}, End: lint.Position{Row: 4, Column: 1}, NoqaRow: 4,
			URL: url + "spk001-syntax-error",
		},
	}
}

func sampleErrors() []lint.FileError {
	return []lint.FileError{
		{Path: "bin.py", Message: "binary file (contains NUL bytes): not checked"},
		{Path: "jobs/boom.py", Message: "internal error in SPK104: panic: boom", Internal: true},
		{Path: "jobs/odd.py", Message: "fixes did not converge", Internal: true},
	}
}

func render(t *testing.T, f func(*bytes.Buffer) error) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := f(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestTextGolden(t *testing.T) {
	for _, tt := range []struct {
		name     string
		findings []lint.Finding
		errs     []lint.FileError
		opts     TextOptions
	}{
		{"text.golden", sample(), nil, TextOptions{}},
		{"text_color.golden", sample(), nil, TextOptions{Color: true}},
		{"text_concise.golden", sample(), nil, TextOptions{Concise: true}},
		{"text_fixed.golden", sample()[1:2], nil, TextOptions{Fixed: 3}},
		{"text_all_fixed.golden", nil, nil, TextOptions{Fixed: 2}},
		{"text_unsafe.golden", sample()[2:3], nil, TextOptions{UnsafeFixes: true}},
		{"text_clean.golden", nil, nil, TextOptions{}},
		{"text_errors.golden", sample()[3:], sampleErrors(), TextOptions{}},
		{"text_only_errors.golden", nil, sampleErrors(), TextOptions{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			golden(t, tt.name, render(t, func(b *bytes.Buffer) error { return Text(b, tt.findings, tt.errs, tt.opts) }))
		})
	}
}

func TestErrorsGolden(t *testing.T) {
	golden(t, "errors.golden", render(t, func(b *bytes.Buffer) error { return Errors(b, sampleErrors(), false) }))
}

func TestJSONGolden(t *testing.T) {
	golden(t, "json.golden", render(t, func(b *bytes.Buffer) error { return JSON(b, sample()) }))
	if got := render(t, func(b *bytes.Buffer) error { return JSON(b, nil) }); string(got) != "[]\n" {
		t.Errorf("empty JSON = %q, want []", got)
	}
}

// The hand-written JSON must be exactly what encoding/json produces for
// Ruff's schema (keys in Ruff's order, two-space indent, no HTML escaping).
func TestJSONMatchesEncoder(t *testing.T) {
	type loc struct {
		Column int `json:"column"`
		Row    int `json:"row"`
	}
	type edit struct {
		Content     string `json:"content"`
		EndLocation loc    `json:"end_location"`
		Location    loc    `json:"location"`
	}
	type fix struct {
		Applicability string  `json:"applicability"`
		Edits         []edit  `json:"edits"`
		Message       *string `json:"message"`
	}
	type finding struct {
		Cell        *int    `json:"cell"`
		Code        string  `json:"code"`
		EndLocation loc     `json:"end_location"`
		Filename    string  `json:"filename"`
		Fix         *fix    `json:"fix"`
		Location    loc     `json:"location"`
		Message     string  `json:"message"`
		NoqaRow     int     `json:"noqa_row"`
		URL         *string `json:"url"`
	}
	fs := sample()
	fs = append(fs, lint.Finding{Code: "SPK999", Path: "q\"\\\t\x01\u2028.py", Message: "ctl \b\f\r\n and <tags> & ✓",
		Fix: &lint.Fix{Applicability: "safe", Edits: []lint.Edit{}}})
	var ref []finding
	for _, f := range fs {
		r := finding{Code: f.Code, EndLocation: loc{f.End.Column, f.End.Row}, Filename: f.Path,
			Location: loc{f.Location.Column, f.Location.Row}, Message: f.Message, NoqaRow: f.NoqaRow}
		if f.URL != "" {
			u := f.URL
			r.URL = &u
		}
		if f.Fix != nil {
			x := &fix{Applicability: f.Fix.Applicability, Edits: []edit{}}
			if f.Fix.Message != "" {
				m := f.Fix.Message
				x.Message = &m
			}
			for _, e := range f.Fix.Edits {
				x.Edits = append(x.Edits, edit{e.Content, loc{e.End.Column, e.End.Row}, loc{e.Location.Column, e.Location.Row}})
			}
			// Ruff sorts edits by position.
			if len(x.Edits) == 2 && x.Edits[1].Location.Row < x.Edits[0].Location.Row {
				x.Edits[0], x.Edits[1] = x.Edits[1], x.Edits[0]
			}
			r.Fix = x
		}
		ref = append(ref, r)
	}
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(ref); err != nil {
		t.Fatal(err)
	}
	// encoding/json escapes U+2028 (for JavaScript); serde_json does not,
	// and neither do we: compare with it unescaped.
	wantBytes := bytes.ReplaceAll(want.Bytes(), []byte(`\u2028`), []byte("\u2028"))
	got := render(t, func(b *bytes.Buffer) error { return JSON(b, fs) })
	if !bytes.Equal(got, wantBytes) {
		t.Errorf("JSON differs from encoding/json:\n--- got\n%s\n--- want\n%s", got, wantBytes)
	}
}

func TestStatisticsGolden(t *testing.T) {
	// SPK201: 3 findings, 2 with a safe fix ([-]); SPK202: all fixable
	// ([*]); SPK401: an unsafe fix ([ ], [*] with --unsafe-fixes).
	fs := sample()
	noFix, other := fs[0], fs[0]
	noFix.Fix = nil
	other.Code, other.Name = "SPK202", "other-fixable"
	fs = append(fs, fs[0], noFix, fs[1], other)
	golden(t, "statistics.golden", render(t, func(b *bytes.Buffer) error { return Statistics(b, fs, false) }))
	golden(t, "statistics_unsafe.golden", render(t, func(b *bytes.Buffer) error { return Statistics(b, fs, true) }))
	golden(t, "statistics_json.golden", render(t, func(b *bytes.Buffer) error { return StatisticsJSON(b, fs, false) }))
	if got := render(t, func(b *bytes.Buffer) error { return Statistics(b, sample()[1:2], false) }); string(got) != "1\tSPK101\texecutor-mutates-driver-state\n" {
		t.Errorf("no fixable rule: %q", got)
	}
	var stats []map[string]any
	if err := json.Unmarshal(render(t, func(b *bytes.Buffer) error { return StatisticsJSON(b, fs, false) }), &stats); err != nil {
		t.Fatal(err)
	}
	for _, s := range stats {
		if len(s) != 5 || s["code"] == "SPK201" && (s["count"] != 3.0 || s["fixable"] != false || s["fixable_count"] != 2.0) {
			t.Errorf("statistics JSON object %v, want Ruff's shape (code, name, count, fixable, fixable_count)", s)
		}
	}
	if got := render(t, func(b *bytes.Buffer) error { return StatisticsJSON(b, nil, false) }); string(got) != "[]\n" {
		t.Errorf("empty statistics JSON: %q", got)
	}
}

func TestColorEnabled(t *testing.T) {
	var b bytes.Buffer
	if ColorEnabled(&b) {
		t.Error("colour for a buffer")
	}
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if ColorEnabled(f) {
		t.Error("colour for a regular file")
	}
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		defer tty.Close()
		t.Setenv("NO_COLOR", "1")
		if ColorEnabled(tty) {
			t.Error("colour with NO_COLOR set")
		}
	}
}

func TestUnderline(t *testing.T) {
	for _, tt := range []struct {
		line                string
		col, endRow, endCol int
		wantLine            string
		start, width        int
	}{
		{"abc", 2, 1, 3, "abc", 1, 1},
		{"\tx = 1", 2, 1, 3, "    x = 1", 4, 1}, // after a tab
		{"é = f(x)", 5, 1, 9, "é = f(x)", 4, 4}, // columns are characters
		{"foo(", 4, 2, 1, "foo(", 3, 1},         // to the end of the line
		{"", 1, 1, 1, "", 0, 1},                 // empty line: one caret
		{"ab", 9, 1, 12, "ab", 2, 1},            // past the end
		{"a\tb", 1, 1, 4, "a    b", 0, 6},       // a tab inside the range
	} {
		f := &lint.Finding{SourceLine: tt.line, Location: lint.Position{Row: 1, Column: tt.col}, End: lint.Position{Row: tt.endRow, Column: tt.endCol}}
		line, start, width := underline(f)
		if line != tt.wantLine || start != tt.start || width != tt.width {
			t.Errorf("underline(%q, %d..%d:%d) = %q, %d, %d; want %q, %d, %d", tt.line, tt.col, tt.endRow, tt.endCol, line, start, width, tt.wantLine, tt.start, tt.width)
		}
	}
}

// Control characters in file names (and messages) reach a terminal
// escaped in text output; JSON escapes them its own way.
func TestTextEscapesControlCharacters(t *testing.T) {
	f := sample()[1]
	f.Path = "jobs/\x1b[2Jevil\u202e.py"
	f.Related = []lint.Related{{Path: "a\x07\u009b.py", Location: lint.Position{Row: 1, Column: 1}, Message: "shipped \x1b]0;x\x07here"}}
	f.Message = "appends to `\x1b[31m`"
	f.SourceLine = "\tseen.append(\x1b)"
	errs := []lint.FileError{{Path: "bad\nname\xff.py", Message: "binary file"}}
	for _, out := range [][]byte{
		render(t, func(b *bytes.Buffer) error { return Text(b, []lint.Finding{f}, errs, TextOptions{}) }),
		render(t, func(b *bytes.Buffer) error {
			return Text(b, []lint.Finding{f}, errs, TextOptions{Color: true, Concise: true})
		}),
		render(t, func(b *bytes.Buffer) error { return Errors(b, errs, false) }),
	} {
		plain := bytes.ReplaceAll(out, []byte("\x1b["), nil) // colours of our own
		for _, c := range plain {
			if (c < 0x20 && c != '\n') || c == 0x7f {
				t.Errorf("raw control character %q in:\n%q", c, out)
				break
			}
		}
		if bytes.Contains(out, []byte("\x1b[2J")) || bytes.Contains(out, []byte("\x1b[31m`")) || bytes.Contains(out, []byte("\u202e")) || bytes.Contains(out, []byte("\xff")) {
			t.Errorf("unescaped sequence in:\n%q", out)
		}
	}
	text := string(render(t, func(b *bytes.Buffer) error { return Text(b, []lint.Finding{f}, errs, TextOptions{}) }))
	for _, want := range []string{`jobs/\x1b[2Jevil\u202e.py:20:2: SPK101`, `(a\a\u009b.py:1:1)`, "appends to `\\x1b[31m`"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	if e := string(render(t, func(b *bytes.Buffer) error { return Errors(b, errs, false) })); e != `sparklint: bad\nname\xff.py: binary file`+"\n" {
		t.Errorf("Errors: %q", e)
	}
	// JSON keeps the name, escaped as JSON.
	j := string(render(t, func(b *bytes.Buffer) error { return JSON(b, []lint.Finding{f}) }))
	if !strings.Contains(j, `"filename": "jobs/\u001b[2Jevil`+"\u202e"+`.py"`) {
		t.Errorf("JSON filename:\n%s", j)
	}
}
