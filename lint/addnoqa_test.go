package lint

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func codeSet(codes ...string) map[string]bool {
	s := map[string]bool{}
	for _, c := range codes {
		s[c] = true
	}
	return s
}

func TestAddNoqaDirectives(t *testing.T) {
	for _, tt := range []struct {
		name  string
		src   string
		rows  map[int]map[string]bool
		want  string
		n     int
		warns string // a substring of the warnings, "" for none
	}{
		{name: "append", src: "x = f()\ny = 2\n", rows: map[int]map[string]bool{1: codeSet("SPK301")},
			want: "x = f()  # noqa: SPK301\ny = 2\n", n: 1},
		{name: "several codes sorted", src: "x = f()\n", rows: map[int]map[string]bool{1: codeSet("SPK301", "SPK101")},
			want: "x = f()  # noqa: SPK101, SPK301\n", n: 1},
		{name: "trailing blanks", src: "x = f()   \t\n", rows: map[int]map[string]bool{1: codeSet("SPK301")},
			want: "x = f()  # noqa: SPK301\n", n: 1},
		{name: "last line without a line break", src: "y = 1\nx = f()", rows: map[int]map[string]bool{2: codeSet("SPK301")},
			want: "y = 1\nx = f()  # noqa: SPK301", n: 1},
		{name: "extend a list, keeping other tools' codes", src: "x = f()  # noqa:E501,spk301 -- long\n",
			rows: map[int]map[string]bool{1: codeSet("SPK101", "SPK301")},
			want: "x = f()  # noqa:E501, SPK101, SPK301 -- long\n", n: 1},
		{name: "already listed", src: "x = f()  # noqa: SPK301\n", rows: map[int]map[string]bool{1: codeSet("SPK301")},
			want: "x = f()  # noqa: SPK301\n"},
		{name: "bare noqa left alone", src: "x = f()  # noqa\n", rows: map[int]map[string]bool{1: codeSet("SPK301")},
			want: "x = f()  # noqa\n"},
		{name: "after another comment", src: "x = f()  # type: ignore\n", rows: map[int]map[string]bool{1: codeSet("SPK301")},
			want: "x = f()  # type: ignore  # noqa: SPK301\n", n: 1},
		{name: "multi-line string: on the line where it ends",
			src:  "q = spark.sql(\"\"\"\nSELECT 1  # not a comment\n\"\"\").collect()\nz = 1\n",
			rows: map[int]map[string]bool{1: codeSet("SPK301"), 2: codeSet("SPK101")},
			want: "q = spark.sql(\"\"\"\nSELECT 1  # not a comment\n\"\"\").collect()  # noqa: SPK101, SPK301\nz = 1\n", n: 1},
		{name: "f-string across lines", src: "x = f'''{a}\n{b}'''.upper()\n", rows: map[int]map[string]bool{1: codeSet("SPK401")},
			want: "x = f'''{a}\n{b}'''.upper()  # noqa: SPK401\n", n: 1},
		{name: "string ending on a line that ends in another string",
			src:  "x = '''a\nb''' + '''c\nd'''\n",
			rows: map[int]map[string]bool{1: codeSet("SPK401")},
			want: "x = '''a\nb''' + '''c\nd'''  # noqa: SPK401\n", n: 1},
		{name: "backslash continuation", src: "x = a + \\\n    f()\n", rows: map[int]map[string]bool{1: codeSet("SPK301")},
			want: "x = a + \\\n    f()  # noqa: SPK301\n", n: 1},
		{name: "brackets need no move", src: "x = f(\n    1)\n", rows: map[int]map[string]bool{1: codeSet("SPK301")},
			want: "x = f(  # noqa: SPK301\n    1)\n", n: 1},
		{name: "CRLF kept", src: "x = f()\r\ny = g()  # noqa: E501\r\n",
			rows: map[int]map[string]bool{1: codeSet("SPK301"), 2: codeSet("SPK301")},
			want: "x = f()  # noqa: SPK301\r\ny = g()  # noqa: E501, SPK301\r\n", n: 2},
		{name: "a comment that hides the directive", src: "x = f()  # sparklint: noqa: SPK999\n",
			rows: map[int]map[string]bool{1: codeSet("SPK301")},
			want: "x = f()  # sparklint: noqa: SPK999\n", warns: "keeps a noqa directive from being read"},
		{name: "syntax error", src: "x = f()\ndef g(:\n", rows: map[int]map[string]bool{1: codeSet("SPK301")},
			want: "x = f()\ndef g(:\n", warns: "syntax error on line 2"},
		{name: "row out of range", src: "x = f()\n", rows: map[int]map[string]bool{7: codeSet("SPK301")},
			want: "x = f()\n", warns: "line 7 is not in the file"},
	} {
		out, n, warns, err := AddNoqaDirectives("x.py", []byte(tt.src), tt.rows)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if string(out) != tt.want || n != tt.n {
			t.Errorf("%s: got %d\n%q\nwant %d\n%q", tt.name, n, out, tt.n, tt.want)
		}
		joined := strings.Join(warns, "\n")
		if (tt.warns == "") != (joined == "") || !strings.Contains(joined, tt.warns) {
			t.Errorf("%s: warnings %q, want %q", tt.name, joined, tt.warns)
		}
	}
}

func TestRunAddNoqa(t *testing.T) {
	root := project(t, map[string]string{
		"main.py": sparkHeader + "x = bad_call()\ny = bad_call()  # noqa: E501\nz = bad_call()  # noqa\n",
	})
	main := filepath.Join(root, "main.py")
	if err := os.Chmod(main, 0o640); err != nil {
		t.Fatal(err)
	}
	res := run(t, Options{Paths: []string{root}, AddNoqa: true})
	if res.NoqaAdded != 2 || len(res.Findings) != 0 || len(res.Errors) != 0 || len(res.Warnings) != 0 {
		t.Fatalf("added %d, findings %v, errors %v, warnings %q", res.NoqaAdded, codes(t, root, res.Findings), res.Errors, res.Warnings)
	}
	data, _ := os.ReadFile(main)
	want := sparkHeader + "x = bad_call()  # noqa: SPK900\ny = bad_call()  # noqa: E501, SPK900\nz = bad_call()  # noqa\n"
	if string(data) != want {
		t.Errorf("main.py:\n%s\nwant\n%s", data, want)
	}
	if st, err := os.Stat(main); err != nil || st.Mode().Perm() != 0o640 {
		t.Errorf("mode not kept: %v %v", st.Mode(), err)
	}
	// Twice adds nothing; the cache (keyed by content) agrees.
	res = run(t, Options{Paths: []string{root}, AddNoqa: true})
	if res.NoqaAdded != 0 || len(res.Findings) != 0 {
		t.Errorf("second run: added %d, findings %v", res.NoqaAdded, codes(t, root, res.Findings))
	}
	if again, _ := os.ReadFile(main); string(again) != want {
		t.Errorf("second run changed main.py:\n%s", again)
	}
	if res := run(t, Options{Paths: []string{root}}); len(res.Findings) != 0 {
		t.Errorf("a plain check after --add-noqa: %v", codes(t, root, res.Findings))
	}
}

// A row that ends in a backslash continuation (or inside a multi-line
// string) cannot take a comment: its directive goes where the statement
// (or string) ends. If the checker does not read it there for the finding,
// it is taken back with a warning rather than left to do nothing.
func TestRunAddNoqaMovedDirective(t *testing.T) {
	src := sparkHeader + "w = bad_call() + \\\n    1\nq = bad_call('''\nx''')\n"
	root := project(t, map[string]string{"main.py": src})
	main := filepath.Join(root, "main.py")
	res := run(t, Options{Paths: []string{root}, AddNoqa: true})
	data, _ := os.ReadFile(main)
	if len(res.Findings) == 0 {
		// The checker reads the directives where the statements end.
		moved := sparkHeader + "w = bad_call() + \\\n    1  # noqa: SPK900\nq = bad_call('''\nx''')  # noqa: SPK900\n"
		if res.NoqaAdded != 2 || string(data) != moved {
			t.Errorf("added %d, main.py:\n%s\nwant\n%s", res.NoqaAdded, data, moved)
		}
		return
	}
	w := strings.Join(res.Warnings, "\n")
	if res.NoqaAdded != 0 || string(data) != src || len(res.Findings) != 2 ||
		!strings.Contains(w, "main.py:2: the line ends inside a string or continues on the next line, and sparklint does not read a noqa directive on line 3") ||
		!strings.Contains(w, "main.py:4: ") {
		t.Errorf("added %d, findings %v, warnings %q, main.py:\n%s", res.NoqaAdded, codes(t, root, res.Findings), w, data)
	}
	// The second time, the same.
	res = run(t, Options{Paths: []string{root}, AddNoqa: true})
	if data, _ := os.ReadFile(main); res.NoqaAdded != 0 || string(data) != src || len(res.Findings) != 2 {
		t.Errorf("second run: added %d, findings %v", res.NoqaAdded, codes(t, root, res.Findings))
	}
}

func TestRunAddNoqaNeverWritesExcludedFiles(t *testing.T) {
	for _, tt := range []struct {
		name    string
		exclude []string
		ignore  string
		named   bool
	}{
		{name: "--exclude name", exclude: []string{"helper.py"}},
		{name: ".gitignore", ignore: "helper.py\n"},
		{name: "named explicitly", exclude: []string{"helper.py"}, named: true},
		{name: "named explicitly, .gitignore", ignore: "helper.py\n", named: true},
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
		res := run(t, Options{Paths: paths, AddNoqa: true, Exclude: tt.exclude})
		data, _ := os.ReadFile(filepath.Join(root, "helper.py"))
		if res.NoqaAdded != 0 || string(data) != "y = BAD\n" {
			t.Errorf("%s: added %d, helper %q, want it left alone", tt.name, res.NoqaAdded, data)
		}
		if tt.named && !strings.Contains(strings.Join(res.Warnings, "\n"), "helper.py: excluded") {
			t.Errorf("%s: warnings %q", tt.name, res.Warnings)
		}
	}
}

func TestRunAddNoqaSkipsNotebooks(t *testing.T) {
	nb := `{"cells": [{"cell_type": "code", "source": ["x = bad_call()\n"]}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`
	root := project(t, map[string]string{"nb.ipynb": nb, "a.py": sparkHeader + "x = bad_call()\n"})
	res := run(t, Options{Paths: []string{root}, AddNoqa: true})
	data, _ := os.ReadFile(filepath.Join(root, "nb.ipynb"))
	if res.NoqaAdded != 1 || string(data) != nb || len(res.Findings) != 1 || res.Findings[0].Cell != 1 {
		t.Errorf("added %d, findings %v, notebook %q", res.NoqaAdded, codes(t, root, res.Findings), data)
	}
	if w := strings.Join(res.Warnings, "\n"); !strings.Contains(w, "nb.ipynb: noqa directives are not added to Jupyter notebooks (1 finding") {
		t.Errorf("warnings %q", w)
	}
}

func TestRunAddNoqaRefusesChangedFiles(t *testing.T) {
	root := project(t, map[string]string{"a.py": sparkHeader + "x = bad_call()\n"})
	w, _, err := addNoqaFile(filepath.Join(root, "a.py"), map[int]map[string]bool{2: codeSet("SPK900")}, "stale")
	if w != nil || err == nil || !strings.Contains(err.Error(), "changed while sparklint was checking it") {
		t.Errorf("got %v %v", w, err)
	}
}

func TestRunForceExclude(t *testing.T) {
	bad := sparkHeader + "x = bad_call()\n"
	root := project(t, map[string]string{
		"a.py": bad, "skip.py": bad, "ignored.py": bad, "build/b.py": bad, "pkg/c.py": bad,
		".gitignore": "ignored.py\n",
	})
	var paths []string
	for _, p := range []string{"a.py", "skip.py", "ignored.py", "build/b.py", "pkg/c.py", "build"} {
		paths = append(paths, filepath.Join(root, filepath.FromSlash(p)))
	}
	res := run(t, Options{Paths: paths, Exclude: []string{"skip.py"}})
	if res.Files != 5 {
		t.Errorf("without --force-exclude: %d files, want 5 (the named ones)", res.Files)
	}
	res = run(t, Options{Paths: paths, Exclude: []string{"skip.py", "pkg"}, ForceExclude: true})
	if got := strings.Join(codes(t, root, res.Findings), " "); res.Files != 1 || got != "a.py:2:5 SPK900" {
		t.Errorf("--force-exclude: %d files, findings %s; want a.py only", res.Files, got)
	}
}
