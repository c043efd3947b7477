package lint

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sparklint/sparklint/checks"
	"github.com/sparklint/sparklint/pyparse"
	"golang.org/x/tools/go/analysis"
)

// testRule is a rule for engine tests, independent of the real rules: it
// reports every `bad_call` with a safe fix to `good_call`, every
// `risky_call` with an unsafe fix to `safe_call`, and, in a file that
// imports the project module `helper`, each "BAD" in that helper (a
// finding in another file, which makes the helper a dependency).
var testRule = &checks.Rule{
	Code:     "SPK900",
	Name:     "test-bad-call",
	Summary:  "test rule",
	Fix:      checks.FixAlways,
	Triggers: []string{"bad_call", "risky_call", "loop_call", "import helper"},
	Analyzer: &analysis.Analyzer{
		Name:     "SPK900",
		Doc:      "test rule",
		Requires: []*analysis.Analyzer{pyparse.Analyzer},
		Run:      runTestRule,
	},
}

// panicRule panics on files that contain "explode".
var panicRule = &checks.Rule{
	Code:     "SPK901",
	Name:     "test-panic",
	Triggers: []string{"explode"},
	Analyzer: &analysis.Analyzer{
		Name:     "SPK901",
		Doc:      "test rule that panics",
		Requires: []*analysis.Analyzer{pyparse.Analyzer},
		Run: func(pass *analysis.Pass) (any, error) {
			if bytes.Contains(pass.ResultOf[pyparse.Analyzer].(*pyparse.Unit).Module.Src, []byte("explode")) {
				panic("boom")
			}
			return nil, nil
		},
	},
}

var testRules = []*checks.Rule{checks.SyntaxError, testRule, panicRule}

func runTestRule(pass *analysis.Pass) (any, error) {
	u := pass.ResultOf[pyparse.Analyzer].(*pyparse.Unit)
	m := u.Module
	report := func(word, repl, category string) {
		for off := 0; ; {
			i := bytes.Index(m.Src[off:], []byte(word))
			if i < 0 {
				return
			}
			start := off + i
			end := start + len(word)
			pass.Report(analysis.Diagnostic{
				Pos: m.Pos(uint32(start)), End: m.Pos(uint32(end)), Category: category,
				Message: "`" + word + "` is bad",
				SuggestedFixes: []analysis.SuggestedFix{{Message: "Use `" + repl + "`",
					TextEdits: []analysis.TextEdit{{Pos: m.Pos(uint32(start)), End: m.Pos(uint32(end)), NewText: []byte(repl)}}}},
			})
			off = end
		}
	}
	report("bad_call", "good_call", "")
	report("risky_call", "safe_call", checks.UnsafeFix)
	report("loop_call", "loop_call_again", "") // a fix that never converges
	if bytes.Contains(m.Src, []byte("import helper")) {
		if h := u.Project.ImportModule(m, "helper", 0); h != nil {
			if i := bytes.Index(h.Src, []byte("BAD")); i >= 0 {
				pos, end := h.Pos(uint32(i)), h.Pos(uint32(i+3))
				pass.Report(analysis.Diagnostic{Pos: pos, End: end, Message: "helper is BAD",
					SuggestedFixes: []analysis.SuggestedFix{{Message: "Make it OK", TextEdits: []analysis.TextEdit{{Pos: pos, End: end, NewText: []byte("OK")}}}}})
			}
		}
	}
	return nil, nil
}

// project creates a temporary project (with a pyproject.toml, so that it
// is its own root) and returns its folder.
func project(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	files["pyproject.toml"] = ""
	writeTree(t, root, files)
	return root
}

func run(t *testing.T, opts Options) *Result {
	t.Helper()
	if opts.Rules == nil {
		opts.Rules = testRules
	}
	res, err := Run(opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// codes lists "file:row:col CODE" of findings, paths relative to root.
func codes(t *testing.T, root string, fs []Finding) []string {
	t.Helper()
	var out []string
	for _, f := range fs {
		p := f.Path
		if rel, err := filepath.Rel(root, absPath(p)); err == nil {
			p = filepath.ToSlash(rel)
		}
		out = append(out, p+":"+strconv.Itoa(f.Location.Row)+":"+strconv.Itoa(f.Location.Column)+" "+f.Code)
	}
	return out
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

const sparkHeader = "import pyspark\n"

func TestRunFindingsSortedAndRelative(t *testing.T) {
	root := project(t, map[string]string{
		"b.py":       sparkHeader + "bad_call()\nbad_call()\n",
		"a.py":       sparkHeader + "def f(:\n",
		"clean.py":   sparkHeader + "x = 1\n",
		"nospark.py": "bad_call()\n", // the prefilter skips it: no Spark
	})
	t.Chdir(root)
	res := run(t, Options{Paths: []string{"."}, NoCache: true})
	got := codes(t, root, res.Findings)
	want := []string{"a.py:2:7 SPK001", "b.py:2:1 SPK900", "b.py:3:1 SPK900"}
	if !slices.Equal(got, want) {
		t.Errorf("findings %v, want %v", got, want)
	}
	if res.Findings[0].Path != "a.py" {
		t.Errorf("path %q, want relative a.py", res.Findings[0].Path)
	}
	if res.Files != 4 || res.FilesParsed != 3 || res.Lines != 8 {
		t.Errorf("files %d parsed %d lines %d, want 4, 3, 8", res.Files, res.FilesParsed, res.Lines)
	}
	if f := res.Findings[1]; f.Name != "test-bad-call" || f.SourceLine != "bad_call()" || f.Fix == nil || f.Fix.Applicability != "safe" {
		t.Errorf("finding %+v", f)
	}
}

func TestRunSelectIgnore(t *testing.T) {
	root := project(t, map[string]string{"a.py": sparkHeader + "bad_call(\n"})
	for _, tt := range []struct {
		sel, ign []string
		want     []string
	}{
		{nil, nil, []string{"SPK001", "SPK900"}},
		{[]string{"SPK9"}, nil, []string{"SPK900"}},
		{[]string{"spk001"}, nil, []string{"SPK001"}},
		{nil, []string{"SPK9"}, []string{"SPK001"}},
		{[]string{"SPK900"}, []string{"SPK"}, []string{"SPK900"}}, // more specific wins
		{[]string{"SPK001,SPK900"}, []string{"SPK900"}, []string{"SPK001"}},
	} {
		res := run(t, Options{Paths: []string{root}, NoCache: true, Select: tt.sel, Ignore: tt.ign})
		var got []string
		for _, f := range res.Findings {
			got = append(got, f.Code)
		}
		slices.Sort(got)
		if !slices.Equal(got, tt.want) {
			t.Errorf("select %v ignore %v: %v, want %v", tt.sel, tt.ign, got, tt.want)
		}
	}
	if _, err := Run(Options{Paths: []string{root}, Rules: testRules, Select: []string{"SPK7"}}); err == nil {
		t.Error("unknown selector: no error")
	}
}

func TestRunMissingPath(t *testing.T) {
	if _, err := Run(Options{Paths: []string{filepath.Join(t.TempDir(), "nope")}, Rules: testRules}); err == nil {
		t.Error("no error for a missing path")
	}
}

// Bad input gives a per-file error and the run goes on.
func TestRunBadFiles(t *testing.T) {
	root := project(t, map[string]string{
		"good.py":   sparkHeader + "bad_call()\n",
		"utf8.py":   sparkHeader + "x = '\xff'\n",
		"binary.py": sparkHeader + "\x00\x01\x02",
		"empty.py":  "",
		"deep.py":   sparkHeader + "x = " + strings.Repeat("(", 10000) + "1" + strings.Repeat(")", 10000) + "\n",
		"boom.py":   sparkHeader + "explode\n",
	})
	big := bytes.Repeat([]byte("# pyspark padding\n"), (maxFileSize/18)+10)
	if err := os.WriteFile(filepath.Join(root, "big.py"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	mustSymlink(t, "missing.py", filepath.Join(root, "dangling.py"))
	res := run(t, Options{Paths: []string{root}, NoCache: true})
	if got := codes(t, root, res.Findings); !slices.Equal(got, []string{"good.py:2:1 SPK900"}) {
		t.Errorf("findings %v", got)
	}
	msgs := map[string]string{}
	for _, e := range res.Errors {
		msgs[filepath.Base(e.Path)] = e.Message
		if e.Internal != (filepath.Base(e.Path) == "boom.py") {
			t.Errorf("%s: internal = %v", e.Path, e.Internal)
		}
	}
	for file, want := range map[string]string{
		"utf8.py":     "invalid UTF-8 at line 2",
		"binary.py":   "binary file",
		"big.py":      "10 MB limit",
		"deep.py":     "nested",
		"dangling.py": "broken symbolic link",
		"boom.py":     "panic: boom",
	} {
		if !strings.Contains(msgs[file], want) {
			t.Errorf("%s: message %q, want it to contain %q", file, msgs[file], want)
		}
	}
	if len(res.Errors) != 6 {
		t.Errorf("errors: %+v", res.Errors)
	}
	if !res.Internal {
		t.Error("Internal not set for a panicking rule")
	}
}

func TestRunUnreadableFile(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads any file; TestRunBadFiles covers a dangling link instead")
	}
	root := project(t, map[string]string{"locked.py": sparkHeader, "good.py": sparkHeader + "bad_call()\n"})
	if err := os.Chmod(filepath.Join(root, "locked.py"), 0); err != nil {
		t.Fatal(err)
	}
	res := run(t, Options{Paths: []string{root}, NoCache: true})
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Message, "permission denied") || len(res.Findings) != 1 {
		t.Errorf("errors %+v findings %d", res.Errors, len(res.Findings))
	}
}

// A helper shipped from two job files is one defect: the engine merges the
// findings of every file, sorts them and drops the repeats.
func TestRunDedupesAcrossFiles(t *testing.T) {
	root := project(t, map[string]string{
		"job_a.py":  sparkHeader + "import helper\n",
		"job_b.py":  sparkHeader + "import helper\n",
		"helper.py": "y = BAD\n",
	})
	for _, noCache := range []bool{true, false, false} {
		res := run(t, Options{Paths: []string{root}, NoCache: noCache})
		if got := codes(t, root, res.Findings); !slices.Equal(got, []string{"helper.py:1:5 SPK900"}) {
			t.Errorf("noCache=%v: findings %v, want the helper's once", noCache, got)
		}
	}
}
