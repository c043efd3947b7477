package lint

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sparklint/sparklint/checks"
	"github.com/sparklint/sparklint/pyparse"
	"golang.org/x/tools/go/analysis"
)

// wordRule is a test rule reporting every occurrence of word with a safe
// fix that replaces it by repl.
func wordRule(code, word, repl string) *checks.Rule {
	return &checks.Rule{
		Code: code, Name: "test-" + strings.ToLower(code), Fix: checks.FixAlways, Triggers: []string{word},
		Analyzer: &analysis.Analyzer{
			Name: code, Doc: "test rule", Requires: []*analysis.Analyzer{pyparse.Analyzer},
			Run: func(pass *analysis.Pass) (any, error) {
				m := pass.ResultOf[pyparse.Analyzer].(*pyparse.Unit).Module
				for off := 0; ; {
					i := bytes.Index(m.Src[off:], []byte(word))
					if i < 0 {
						return nil, nil
					}
					s, e := m.Pos(uint32(off+i)), m.Pos(uint32(off+i+len(word)))
					pass.Report(analysis.Diagnostic{Pos: s, End: e, Message: "`" + word + "`",
						SuggestedFixes: []analysis.SuggestedFix{{Message: "Use `" + repl + "`",
							TextEdits: []analysis.TextEdit{{Pos: s, End: e, NewText: []byte(repl)}}}}})
					off += i + len(word)
				}
			},
		},
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// A fix that would make the file unparseable is refused: the file is not
// written, an error names it, and the other files are still fixed.
func TestRunFixRefusesSyntaxError(t *testing.T) {
	breaker := wordRule("SPK910", "breaks_syntax", "breaks_syntax(")
	rules := []*checks.Rule{checks.SyntaxError, testRule, breaker}
	src := sparkHeader + "breaks_syntax()\nbad_call()\n"
	root := project(t, map[string]string{"a.py": src, "b.py": sparkHeader + "bad_call()\n"})
	for _, diff := range []bool{false, true} {
		res := run(t, Options{Paths: []string{root}, Fix: !diff, Diff: diff, NoCache: true, Rules: rules})
		if got := readFile(t, filepath.Join(root, "a.py")); got != src {
			t.Errorf("diff=%v: a.py written: %q", diff, got)
		}
		if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Message, "syntax error") || filepath.Base(res.Errors[0].Path) != "a.py" {
			t.Errorf("diff=%v: errors %+v", diff, res.Errors)
		}
		for _, c := range res.Changes {
			if filepath.Base(c.Path) == "a.py" {
				t.Errorf("diff=%v: a.py in the changes", diff)
			}
		}
		// a.py's findings are still reported, unfixed.
		if got := codes(t, root, res.Findings); !strings.Contains(strings.Join(got, " "), "a.py:2:1 SPK910") {
			t.Errorf("diff=%v: findings %v", diff, got)
		}
	}
	if got := readFile(t, filepath.Join(root, "b.py")); got != sparkHeader+"good_call()\n" {
		t.Errorf("b.py = %q", got)
	}
}

// --diff computes what --fix does, through every round, and writes
// nothing; --fix then writes exactly that, and a second --fix nothing.
func TestRunDiffMatchesFix(t *testing.T) {
	// SPK911 turns "aa" into "ab", SPK912 "abb" into "c": on "aabb" the
	// second only applies once the first has (a later round), so the
	// final content depends on re-linting the fixed content.
	rules := []*checks.Rule{testRule, wordRule("SPK911", "aa", "ab"), wordRule("SPK912", "abb", "c")}
	src := sparkHeader + "x = aabb\nbad_call()\n"
	root := project(t, map[string]string{"a.py": src})
	path := filepath.Join(root, "a.py")
	if err := os.Chmod(path, 0o750); err != nil {
		t.Fatal(err)
	}
	res := run(t, Options{Paths: []string{root}, Diff: true, Rules: rules})
	if got := readFile(t, path); got != src {
		t.Fatalf("--diff wrote the file: %q", got)
	}
	want := sparkHeader + "x = cb\ngood_call()\n"
	if len(res.Changes) != 1 || string(res.Changes[0].After) != want || string(res.Changes[0].Before) != src {
		t.Fatalf("changes %+v", res.Changes)
	}
	if c := res.Changes[0].Fixes; c["SPK900"] != 1 || c["SPK911"] != 1 || c["SPK912"] != 1 || res.Fixed != 3 {
		t.Errorf("fixes by code %v, fixed %d", c, res.Fixed)
	}
	if len(res.Findings) != 0 {
		t.Errorf("findings after the fixes: %v", codes(t, root, res.Findings))
	}
	fixed := run(t, Options{Paths: []string{root}, Fix: true, Rules: rules})
	if got := readFile(t, path); got != want || fixed.Fixed != 3 {
		t.Errorf("--fix: %q, fixed %d", got, fixed.Fixed)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o750 {
		t.Errorf("mode %v, want 0750", st.Mode().Perm())
	}
	entries, _ := os.ReadDir(root)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
	again := run(t, Options{Paths: []string{root}, Fix: true, Rules: rules})
	diff := run(t, Options{Paths: []string{root}, Diff: true, Rules: rules})
	if got := readFile(t, path); got != want || again.Fixed != 0 || len(again.Changes) != 0 || len(diff.Changes) != 0 {
		t.Errorf("second --fix: %q, fixed %d, changes %d, diff changes %d", got, again.Fixed, len(again.Changes), len(diff.Changes))
	}
}

// Overlapping fixes of different rules resolve the same way whatever the
// order of the rules, of the files and of the runs: the first by position
// (then the shorter, then by content) wins, the other waits for the next
// round, which re-lints the fixed content.
func TestRunFixOverlapDeterministic(t *testing.T) {
	r1 := wordRule("SPK913", "alpha_beta", "ab")
	r2 := wordRule("SPK914", "beta_gamma", "bg")
	r3 := wordRule("SPK915", "alpha", "A")
	src := sparkHeader + "alpha_beta_gamma\nbeta_gamma_alpha\n"
	var first string
	for i, rules := range [][]*checks.Rule{{r1, r2, r3}, {r3, r2, r1}, {r2, r3, r1}, {r2, r1, r3}} {
		root := project(t, map[string]string{"a.py": src})
		res := run(t, Options{Paths: []string{root}, Fix: true, NoCache: true, Rules: rules})
		got := readFile(t, filepath.Join(root, "a.py"))
		if i == 0 {
			first = got
			// alpha_beta and alpha start together: the shorter fix
			// ("alpha") wins; beta_gamma overlaps it not and applies.
			if want := sparkHeader + "A_bg\nbg_A\n"; got != want {
				t.Errorf("fixed %q, want %q (fixed %d)", got, want, res.Fixed)
			}
		} else if got != first {
			t.Errorf("rule order %d: %q, want %q", i, got, first)
		}
	}
}

// A fix in a helper module applied in memory is seen by its importers'
// re-check (the project is seeded with the overlay), with --diff too.
func TestRunDiffInDependency(t *testing.T) {
	root := project(t, map[string]string{
		"main.py":   sparkHeader + "import helper\n",
		"helper.py": "y = BAD\n",
	})
	res := run(t, Options{Paths: []string{filepath.Join(root, "main.py")}, Diff: true})
	if readFile(t, filepath.Join(root, "helper.py")) != "y = BAD\n" {
		t.Error("--diff wrote the helper")
	}
	if len(res.Changes) != 1 || filepath.Base(res.Changes[0].Path) != "helper.py" || string(res.Changes[0].After) != "y = OK\n" || len(res.Findings) != 0 {
		t.Errorf("changes %+v findings %v", res.Changes, codes(t, root, res.Findings))
	}
}

// writeFixed refuses to overwrite a file that changed since it was read.
func TestWriteFixedRefusesChangedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.py")
	if err := os.WriteFile(path, []byte("edited by the user\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := writeFixed(path, []byte("original\n"), []byte("fixed\n"))
	if err == nil || !strings.Contains(err.Error(), "changed") || readFile(t, path) != "edited by the user\n" {
		t.Errorf("err %v, content %q", err, readFile(t, path))
	}
}

// --fix writes before --add-noqa reads: the directives go into the fixed
// content, and what remains is checked on it.
func TestRunFixThenAddNoqa(t *testing.T) {
	root := project(t, map[string]string{"a.py": sparkHeader + "bad_call()\nrisky_call()\n"})
	res := run(t, Options{Paths: []string{root}, Fix: true, AddNoqa: true, NoCache: true})
	got := readFile(t, filepath.Join(root, "a.py"))
	if want := sparkHeader + "good_call()\nrisky_call()  # noqa: SPK900\n"; got != want || res.Fixed != 1 || len(res.Findings) != 0 || len(res.Errors) != 0 {
		t.Errorf("content %q (want %q), fixed %d, findings %v, errors %v", got, want, res.Fixed, codes(t, root, res.Findings), res.Errors)
	}
}
