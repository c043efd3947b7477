package lint

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// gitRepo makes a git repository in a new folder (a project: it has a
// pyproject.toml) with files committed on branch main, and returns it.
func gitRepo(t *testing.T, files map[string]string) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	root := project(t, files)
	gitIn(t, root, "init", "-q", "-b", "main")
	gitIn(t, root, "config", "user.name", "Test")
	gitIn(t, root, "config", "user.email", "test@example.com")
	gitIn(t, root, "config", "commit.gpgsign", "false")
	gitIn(t, root, "add", "-A")
	gitIn(t, root, "commit", "-q", "-m", "base")
	return root
}

func gitIn(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// A pull request that adds a bad line to a file with old findings reports
// only the new one, whether committed, staged or not; files it does not
// touch report nothing; untracked files report everything.
func TestDiffBaseReportsOnlyChangedLines(t *testing.T) {
	old := sparkHeader + "bad_call()\n\ndef f():\n    return bad_call()\n"
	root := gitRepo(t, map[string]string{"a.py": old, "untouched.py": sparkHeader + "bad_call()\n"})
	gitIn(t, root, "checkout", "-q", "-b", "feature")
	// A new line above the old findings shifts them.
	writeTree(t, root, map[string]string{"a.py": sparkHeader + "x = bad_call()  # new\n" + old[len(sparkHeader):]})
	want := []string{"a.py:2:5 SPK900"}
	check := func(stage string) {
		t.Helper()
		res := run(t, Options{Paths: []string{root}, DiffBase: "main", NoCache: true})
		if got := codes(t, root, res.Findings); !slices.Equal(got, want) {
			t.Errorf("%s: findings %v, want %v", stage, got, want)
		}
	}
	check("unstaged")
	gitIn(t, root, "add", "a.py")
	check("staged")
	gitIn(t, root, "commit", "-q", "-m", "feature")
	check("committed")
	// Without --diff-base, everything.
	if res := run(t, Options{Paths: []string{root}, NoCache: true}); len(res.Findings) != 4 {
		t.Errorf("full run: %v", codes(t, root, res.Findings))
	}
	// An untracked file is new code: all its findings.
	writeTree(t, root, map[string]string{"new.py": sparkHeader + "bad_call()\nbad_call()\n"})
	want = []string{"a.py:2:5 SPK900", "new.py:2:1 SPK900", "new.py:3:1 SPK900"}
	check("untracked")
	// An ignored one is not: it is not checked at all.
	writeTree(t, root, map[string]string{".gitignore": "new.py\n"})
	want = []string{"a.py:2:5 SPK900"}
	check("ignored")
}

// Merge-base semantics: commits on the base branch after the branch point
// are not the pull request's changes.
func TestDiffBaseUsesMergeBase(t *testing.T) {
	root := gitRepo(t, map[string]string{"a.py": sparkHeader + "bad_call(1)\nbad_call(2)\n"})
	gitIn(t, root, "checkout", "-q", "-b", "feature")
	writeTree(t, root, map[string]string{"b.py": sparkHeader + "bad_call(3)\n"})
	gitIn(t, root, "add", "-A")
	gitIn(t, root, "commit", "-q", "-m", "feature")
	// main moves on: it fixes line 2 of a.py. Diffed against main's tip,
	// the feature branch would seem to add bad_call(1) back.
	gitIn(t, root, "checkout", "-q", "main")
	writeTree(t, root, map[string]string{"a.py": sparkHeader + "good_call(1)\nbad_call(2)\n"})
	gitIn(t, root, "commit", "-q", "-am", "main moves on")
	gitIn(t, root, "checkout", "-q", "feature")
	res := run(t, Options{Paths: []string{root}, DiffBase: "main", NoCache: true})
	if got, want := codes(t, root, res.Findings), []string{"b.py:2:1 SPK900"}; !slices.Equal(got, want) {
		t.Errorf("findings %v, want %v", got, want)
	}
}

// A finding counts when any line of its range, or its noqa row, changed;
// a renamed file counts only its changed lines.
func TestDiffBaseRangesAndRenames(t *testing.T) {
	multi := sparkHeader + "x = (\n    1,\n    bad_call\n)\n"
	moved := sparkHeader + "bad_call()\n" + strings.Repeat("y = 1\n", 10)
	root := gitRepo(t, map[string]string{"m.py": multi, "old_name.py": moved})
	gitIn(t, root, "checkout", "-q", "-b", "feature")
	gitIn(t, root, "mv", "old_name.py", "new_name.py")
	writeTree(t, root, map[string]string{
		"new_name.py": moved + "bad_call()  # added after the rename\n",
		// Only the line before the finding changes: not reported.
		"m.py": sparkHeader + "x = (\n    2,\n    bad_call\n)\n",
	})
	res := run(t, Options{Paths: []string{root}, DiffBase: "HEAD", NoCache: true})
	if got, want := codes(t, root, res.Findings), []string{"new_name.py:13:1 SPK900"}; !slices.Equal(got, want) {
		t.Errorf("findings %v, want %v", got, want)
	}
}

// A finding's noqa row is its statement's last row: a change there (a
// noqa comment removed) makes the finding count.
func TestDiffBaseNoqaRow(t *testing.T) {
	f := Finding{Location: Position{Row: 3, Column: 1}, End: Position{Row: 3, Column: 5}, NoqaRow: 5}
	fc := &fileChanges{rows: map[int]bool{5: true}}
	if !fc.counts(&f, fc.rows) {
		t.Error("a change on the noqa row does not count")
	}
	f.NoqaRow = 0
	if fc.counts(&f, fc.rows) {
		t.Error("an unchanged finding counts")
	}
	// A range ending at the start of a row does not cover that row.
	f = Finding{Location: Position{Row: 3, Column: 1}, End: Position{Row: 5, Column: 1}}
	if fc.counts(&f, fc.rows) {
		t.Error("a range ending at column 1 of a changed row counts")
	}
}

// Notebooks: findings name cell rows; they count when their line is one
// the diff adds to the notebook.
func TestDiffBaseNotebook(t *testing.T) {
	nb := func(cells ...string) string {
		var b strings.Builder
		b.WriteString("{\n \"cells\": [\n")
		for i, c := range cells {
			if i > 0 {
				b.WriteString(",\n")
			}
			b.WriteString("  {\n   \"cell_type\": \"code\",\n   \"source\": [\n    " + c + "\n   ]\n  }")
		}
		b.WriteString("\n ],\n \"metadata\": {},\n \"nbformat\": 4,\n \"nbformat_minor\": 5\n}\n")
		return b.String()
	}
	root := gitRepo(t, map[string]string{"nb.ipynb": nb(`"bad_call(1)\n"`)})
	writeTree(t, root, map[string]string{"nb.ipynb": nb(`"bad_call(1)\n"`, `"x = 1\n",`+"\n    "+`"bad_call(2)\n"`)})
	res := run(t, Options{Paths: []string{root}, DiffBase: "HEAD", NoCache: true})
	if len(res.Findings) != 1 || res.Findings[0].Cell != 2 || res.Findings[0].Location.Row != 2 {
		t.Errorf("findings %+v", res.Findings)
	}
}

// With --fix, only the fixes of reported findings apply.
func TestDiffBaseFixesOnlyChangedCode(t *testing.T) {
	root := gitRepo(t, map[string]string{"a.py": sparkHeader + "bad_call()\n"})
	writeTree(t, root, map[string]string{"a.py": sparkHeader + "bad_call()\nbad_call(2)\n"})
	res := run(t, Options{Paths: []string{root}, DiffBase: "HEAD", Fix: true, NoCache: true})
	got := readFile(t, filepath.Join(root, "a.py"))
	if want := sparkHeader + "bad_call()\ngood_call(2)\n"; got != want || res.Fixed != 1 || len(res.Findings) != 0 {
		t.Errorf("content %q, fixed %d, findings %v", got, res.Fixed, codes(t, root, res.Findings))
	}
}

func TestDiffBaseErrors(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	plain := project(t, map[string]string{"a.py": sparkHeader})
	t.Setenv("GIT_CEILING_DIRECTORIES", filepath.Dir(plain))
	if _, err := Run(Options{Paths: []string{plain}, DiffBase: "main", Rules: testRules}); err == nil || !strings.Contains(err.Error(), "not in a git repository") {
		t.Errorf("outside a repository: %v", err)
	}
	root := gitRepo(t, map[string]string{"a.py": sparkHeader})
	for _, rev := range []string{"no-such-branch", "--output=x"} {
		if _, err := Run(Options{Paths: []string{root}, DiffBase: rev, Rules: testRules}); err == nil || !strings.Contains(err.Error(), "revision") {
			t.Errorf("revision %q: %v", rev, err)
		}
	}
}

func TestParseHunkHeader(t *testing.T) {
	for line, want := range map[string][3]int{
		"@@ -3 +3 @@":                  {1, 3, 1},
		"@@ -3,0 +4,2 @@ def f():":     {0, 4, 2},
		"@@ -10,4 +9,0 @@":             {4, 9, 0},
		"@@ -1,2 +1,3 @@ @@ in a name": {2, 1, 3},
	} {
		o, s, n, ok := parseHunkHeader(line)
		if !ok || [3]int{o, s, n} != want {
			t.Errorf("%q: %d %d %d %v", line, o, s, n, ok)
		}
	}
	if _, _, _, ok := parseHunkHeader("@@ garbage"); ok {
		t.Error("garbage accepted")
	}
}
