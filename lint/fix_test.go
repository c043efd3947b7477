package lint

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func edit(off, end int, content string) Edit {
	return Edit{Offset: off, EndOffset: end, Content: content}
}

func fixOf(edits ...Edit) *Fix { return &Fix{Applicability: "safe", Edits: edits} }

func TestApplyFixes(t *testing.T) {
	src := []byte("abcdefghij")
	tests := []struct {
		name  string
		fixes []*Fix
		want  string
		n     int
	}{
		{"none", nil, "abcdefghij", 0},
		{"one", []*Fix{fixOf(edit(0, 3, "X"))}, "Xdefghij", 1},
		{"two disjoint", []*Fix{fixOf(edit(8, 10, "Z")), fixOf(edit(0, 1, "A"))}, "AbcdefghZ", 2},
		{"adjacent", []*Fix{fixOf(edit(0, 2, "1")), fixOf(edit(2, 4, "2"))}, "12efghij", 2},
		{"insert", []*Fix{fixOf(edit(5, 5, "++"))}, "abcde++fghij", 1},
		{"overlap: first by position wins", []*Fix{fixOf(edit(2, 6, "L")), fixOf(edit(1, 3, "F"))}, "aFdefghij", 1},
		{"overlap: same start, shorter first", []*Fix{fixOf(edit(1, 5, "long")), fixOf(edit(1, 3, "s"))}, "asdefghij", 1},
		{"duplicates once", []*Fix{fixOf(edit(0, 1, "Q")), fixOf(edit(0, 1, "Q"))}, "Qbcdefghij", 1},
		{"multi-edit fix is atomic", []*Fix{fixOf(edit(0, 1, "<"), edit(9, 10, ">")), fixOf(edit(4, 5, "!"))}, "<bcdefghi>", 1},
		{"multi-edit fix, edits unordered", []*Fix{fixOf(edit(9, 10, ">"), edit(0, 1, "<"))}, "<bcdefghi>", 1},
		{"out of range skipped", []*Fix{fixOf(edit(8, 11, "x")), fixOf(edit(0, 1, "ok"))}, "okbcdefghij", 1},
		{"negative skipped", []*Fix{fixOf(edit(-1, 1, "x"))}, "abcdefghij", 0},
		{"self-overlapping edits skipped", []*Fix{fixOf(edit(0, 3, "x"), edit(2, 4, "y"))}, "abcdefghij", 0},
		{"empty fix ignored", []*Fix{{Applicability: "safe"}, nil}, "abcdefghij", 0},
	}
	for _, tt := range tests {
		got, n := ApplyFixes(src, tt.fixes)
		if string(got) != tt.want || n != tt.n {
			t.Errorf("%s: got %q (%d), want %q (%d)", tt.name, got, n, tt.want, tt.n)
		}
		// The outcome does not depend on the order of the fixes.
		rev := append([]*Fix(nil), tt.fixes...)
		for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
			rev[i], rev[j] = rev[j], rev[i]
		}
		if got2, n2 := ApplyFixes(src, rev); string(got2) != string(got) || n2 != n {
			t.Errorf("%s: reversed order gave %q (%d)", tt.name, got2, n2)
		}
	}
	if string(src) != "abcdefghij" {
		t.Error("ApplyFixes modified its input")
	}
	// An edit inside a UTF-8 sequence is refused.
	if got, n := ApplyFixes([]byte("é"), []*Fix{fixOf(edit(1, 2, "x"))}); n != 0 || string(got) != "é" {
		t.Errorf("split rune: %q %d", got, n)
	}
}

func TestFixFileRefusesSyntaxErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.py")
	src := "x = f(1)\n"
	if err := os.WriteFile(path, []byte(src), 0o640); err != nil {
		t.Fatal(err)
	}
	_, err := fixFile(path, []*Fix{fixOf(edit(5, 6, ""))}, contentHash([]byte(src)))
	if err == nil || !strings.Contains(err.Error(), "syntax error") {
		t.Errorf("err = %v, want a syntax error refusal", err)
	}
	if data, _ := os.ReadFile(path); string(data) != src {
		t.Errorf("file changed: %q", data)
	}
	// Content that changed since it was checked is not touched.
	if _, err := fixFile(path, []*Fix{fixOf(edit(0, 1, "y"))}, "stale"); err == nil || !strings.Contains(err.Error(), "changed") {
		t.Errorf("stale hash: err = %v", err)
	}
}

func TestFixFileAtomicKeepsModeAndLinks(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.py")
	src := "x = bad_call()\n"
	if err := os.WriteFile(path, []byte(src), 0o640); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.py")
	mustSymlink(t, "m.py", link)
	n, err := fixFile(link, []*Fix{fixOf(edit(4, 12, "good_call"))}, contentHash([]byte(src)))
	if err != nil || n != 1 {
		t.Fatalf("fixFile: %d, %v", n, err)
	}
	if data, _ := os.ReadFile(path); string(data) != "x = good_call()\n" {
		t.Errorf("content %q", data)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640", st.Mode().Perm())
	}
	if st, _ := os.Lstat(link); st.Mode()&os.ModeSymlink == 0 {
		t.Error("the symbolic link was replaced by a file")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("folder holds %d entries (temporary files left?)", len(entries))
	}
}

func TestRunFix(t *testing.T) {
	root := project(t, map[string]string{
		"a.py": sparkHeader + "bad_call(bad_call())\nrisky_call()\n",
		"b.py": sparkHeader + "x = 1\n",
	})
	mode := os.FileMode(0o600)
	if err := os.Chmod(filepath.Join(root, "a.py"), mode); err != nil {
		t.Fatal(err)
	}
	for _, noCache := range []bool{false, true} {
		writeTree(t, root, map[string]string{"a.py": sparkHeader + "bad_call(bad_call())\nrisky_call()\n"})
		res := run(t, Options{Paths: []string{root}, Fix: true, NoCache: noCache})
		if res.Fixed != 2 {
			t.Errorf("noCache=%v: fixed %d, want 2", noCache, res.Fixed)
		}
		data, _ := os.ReadFile(filepath.Join(root, "a.py"))
		if want := sparkHeader + "good_call(good_call())\nrisky_call()\n"; string(data) != want {
			t.Errorf("noCache=%v: content %q, want %q", noCache, data, want)
		}
		// What remains is reported: the unsafe fix was not applied.
		if got := codes(t, root, res.Findings); len(got) != 1 || got[0] != "a.py:3:1 SPK900" {
			t.Errorf("noCache=%v: remaining %v", noCache, got)
		}
		// A second --fix changes nothing.
		again := run(t, Options{Paths: []string{root}, Fix: true, NoCache: noCache})
		data2, _ := os.ReadFile(filepath.Join(root, "a.py"))
		if again.Fixed != 0 || string(data2) != string(data) {
			t.Errorf("noCache=%v: second --fix fixed %d, content %q", noCache, again.Fixed, data2)
		}
	}
	if st, _ := os.Stat(filepath.Join(root, "a.py")); st.Mode().Perm() != mode {
		t.Errorf("mode %v, want %v", st.Mode().Perm(), mode)
	}
	// With UnsafeFixes the unsafe fix applies too.
	res := run(t, Options{Paths: []string{root}, Fix: true, UnsafeFixes: true})
	data, _ := os.ReadFile(filepath.Join(root, "a.py"))
	if res.Fixed != 1 || !strings.Contains(string(data), "safe_call()") || len(res.Findings) != 0 {
		t.Errorf("unsafe fixes: fixed %d, content %q, remaining %d", res.Fixed, data, len(res.Findings))
	}
}

// A fix in a helper module (reported while checking its importer) is
// applied to the helper.
func TestRunFixInDependency(t *testing.T) {
	root := project(t, map[string]string{
		"main.py":   sparkHeader + "import helper\n",
		"helper.py": "y = BAD\n",
	})
	res := run(t, Options{Paths: []string{filepath.Join(root, "main.py")}, Fix: true})
	data, _ := os.ReadFile(filepath.Join(root, "helper.py"))
	if res.Fixed != 1 || len(res.Findings) != 0 || string(data) != "y = OK\n" {
		t.Errorf("fixed %d findings %d helper %q", res.Fixed, len(res.Findings), data)
	}
}

// A fix that does not remove its finding stops after maxFixRounds with an
// internal error instead of looping for ever.
func TestRunFixDoesNotLoop(t *testing.T) {
	root := project(t, map[string]string{"a.py": sparkHeader + "loop_call()\n"})
	res := run(t, Options{Paths: []string{root}, Fix: true, NoCache: true})
	if res.Fixed != maxFixRounds || !res.Internal || len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Message, "did not converge") {
		t.Errorf("fixed %d internal %v errors %+v", res.Fixed, res.Internal, res.Errors)
	}
}

// Fixes in a CRLF file insert CRLF line breaks; in an LF file, LF ones.
func TestApplyFixesKeepsLineEndings(t *testing.T) {
	fixes := []*Fix{fixOf(edit(0, 0, "import operator\n")), fixOf(edit(4, 5, "a\r\nb\nc"))}
	for src, want := range map[string]string{
		"x = 1\r\ny = 2\r\n": "import operator\r\nx = a\r\nb\r\nc\r\ny = 2\r\n",
		"x = 1\ny = 2\r\n":   "import operator\nx = a\r\nb\nc\ny = 2\r\n",
		"no line break":      "import operator\nno la\r\nb\ncne break",
	} {
		if got, n := ApplyFixes([]byte(src), fixes); string(got) != want || n != 2 {
			t.Errorf("ApplyFixes(%q) = %q (%d), want %q", src, got, n, want)
		}
	}
}

// Findings in an excluded or git-ignored helper are neither reported nor
// fixed; a helper named on the command line is included.
func TestRunFixNeverWritesExcludedFiles(t *testing.T) {
	for _, tt := range []struct {
		name    string
		exclude []string
		ignore  string
		named   bool
	}{
		{name: "--exclude name", exclude: []string{"helper.py"}},
		{name: "--exclude path", exclude: []string{"/helper.py"}},
		{name: ".gitignore", ignore: "helper.py\n"},
		{name: "named explicitly", exclude: []string{"helper.py"}, named: true},
	} {
		files := map[string]string{"main.py": sparkHeader + "import helper\n", "helper.py": "y = BAD\n"}
		if tt.ignore != "" {
			files[".gitignore"] = tt.ignore
		}
		root := project(t, files)
		paths := []string{root}
		if tt.named {
			paths = []string{filepath.Join(root, "main.py"), filepath.Join(root, "helper.py")}
		}
		for _, fix := range []bool{false, true} {
			res := run(t, Options{Paths: paths, Fix: fix, Exclude: tt.exclude})
			data, _ := os.ReadFile(filepath.Join(root, "helper.py"))
			switch {
			case !tt.named && (res.Fixed != 0 || len(res.Findings) != 0 || string(data) != "y = BAD\n"):
				t.Errorf("%s, fix=%v: fixed %d findings %v helper %q, want the helper left alone", tt.name, fix, res.Fixed, codes(t, root, res.Findings), data)
			case tt.named && !fix && len(res.Findings) != 1:
				t.Errorf("%s: findings %v, want the helper's", tt.name, codes(t, root, res.Findings))
			case tt.named && fix && (res.Fixed != 1 || string(data) != "y = OK\n"):
				t.Errorf("%s, fix: fixed %d helper %q", tt.name, res.Fixed, data)
			}
		}
	}
}
