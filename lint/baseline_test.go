package lint

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeBaseline runs the linter on root and records its findings in
// root/baseline.json.
func writeBaseline(t *testing.T, root string) string {
	t.Helper()
	file := filepath.Join(root, "baseline.json")
	res := run(t, Options{Paths: []string{root}, NoCache: true})
	n, err := WriteBaseline(file, res.Findings)
	if err != nil || n != len(res.Findings) {
		t.Fatalf("WriteBaseline: %d, %v", n, err)
	}
	return file
}

func TestBaselineFormat(t *testing.T) {
	root := project(t, map[string]string{"jobs/a.py": sparkHeader + "bad_call()\n"})
	file := writeBaseline(t, root)
	var raw map[string]any
	if err := json.Unmarshal([]byte(readFile(t, file)), &raw); err != nil {
		t.Fatal(err)
	}
	if raw["version"] != float64(1) {
		t.Errorf("version %v", raw["version"])
	}
	entries, _ := raw["findings"].([]any)
	if len(entries) != 1 {
		t.Fatalf("findings %v", raw["findings"])
	}
	e := entries[0].(map[string]any)
	for _, k := range []string{"fingerprint", "code", "path", "message"} {
		if s, _ := e[k].(string); s == "" {
			t.Errorf("entry lacks %q: %v", k, e)
		}
	}
	if e["path"] != "jobs/a.py" || e["code"] != "SPK900" {
		t.Errorf("entry %v", e)
	}
	// Rewriting keeps the file's mode and leaves no temporary file.
	if err := os.Chmod(file, 0o600); err != nil {
		t.Fatal(err)
	}
	writeBaseline(t, root)
	if st, _ := os.Stat(file); st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", st.Mode().Perm())
	}
	if matches, _ := filepath.Glob(filepath.Join(root, ".baseline.json.tmp-*")); len(matches) > 0 {
		t.Errorf("temporary files left: %v", matches)
	}
	// An empty run writes an empty list, not null.
	empty := project(t, map[string]string{"a.py": sparkHeader})
	if _, err := WriteBaseline(filepath.Join(empty, "b.json"), nil); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, filepath.Join(empty, "b.json")); !strings.Contains(got, `"findings": []`) {
		t.Errorf("empty baseline: %s", got)
	}
}

// Fingerprints survive lines inserted above, and tell identical lines
// apart by occurrence: a third copy of a recorded line is new.
func TestBaselineSurvivesShifts(t *testing.T) {
	root := project(t, map[string]string{
		"a.py": sparkHeader + "bad_call()\nx = 1\nbad_call()\n",
		"b.py": sparkHeader + "y = bad_call()\n",
	})
	file := writeBaseline(t, root)
	if res := run(t, Options{Paths: []string{root}, Baseline: file, NoCache: true}); len(res.Findings) != 0 {
		t.Errorf("right after writing: %v", codes(t, root, res.Findings))
	}
	writeTree(t, root, map[string]string{
		"a.py": sparkHeader + "# a comment\n\n\nbad_call()\nx = 1\n\tbad_call()   \nbad_call()\n",
		"b.py": sparkHeader + "\n\ny  =  bad_call()\nz = bad_call()\n",
	})
	res := run(t, Options{Paths: []string{root}, Baseline: file, NoCache: true})
	// a.py: the third bad_call() is new (white space does not matter:
	// the indented copy is the recorded second one); b.py: z's.
	want := []string{"a.py:8:1 SPK900", "b.py:5:5 SPK900"}
	if got := codes(t, root, res.Findings); !slices.Equal(got, want) {
		t.Errorf("findings %v, want %v", got, want)
	}
}

// A renamed file keeps its findings' baseline (matched by content once the
// recorded path is gone), and so does the whole project moved elsewhere,
// run from another working folder (paths are relative to the baseline).
func TestBaselineRenamedAndMoved(t *testing.T) {
	root := project(t, map[string]string{"jobs/old.py": sparkHeader + "bad_call()\n", "keep.py": sparkHeader + "bad_call()\n"})
	file := writeBaseline(t, root)
	if err := os.Rename(filepath.Join(root, "jobs", "old.py"), filepath.Join(root, "jobs", "new.py")); err != nil {
		t.Fatal(err)
	}
	if res := run(t, Options{Paths: []string{root}, Baseline: file, NoCache: true}); len(res.Findings) != 0 {
		t.Errorf("after a rename: %v", codes(t, root, res.Findings))
	}
	// A copy of recorded code in a new file, the original still there, is
	// new.
	writeTree(t, root, map[string]string{"copy.py": sparkHeader + "bad_call()\n"})
	if res := run(t, Options{Paths: []string{root}, Baseline: file, NoCache: true}); len(res.Findings) != 1 {
		t.Errorf("a copy: %v", codes(t, root, res.Findings))
	}
	if err := os.Remove(filepath.Join(root, "copy.py")); err != nil {
		t.Fatal(err)
	}
	moved := filepath.Join(t.TempDir(), "checkout")
	if err := os.Rename(root, moved); err != nil {
		t.Skip("cannot move the project:", err)
	}
	t.Chdir(filepath.Join(moved, "jobs"))
	res := run(t, Options{Paths: []string{".."}, Baseline: filepath.Join("..", "baseline.json"), NoCache: true})
	if len(res.Findings) != 0 {
		t.Errorf("moved project: %v", codes(t, moved, res.Findings))
	}
}

func TestBaselineErrors(t *testing.T) {
	root := project(t, map[string]string{"a.py": sparkHeader})
	if _, err := Run(Options{Paths: []string{root}, Baseline: filepath.Join(root, "missing.json"), Rules: testRules}); err == nil || !strings.Contains(err.Error(), "cannot read the baseline") {
		t.Errorf("missing file: %v", err)
	}
	for content, want := range map[string]string{`{"version": 2, "findings": []}`: "version 2", `[1, 2]`: "not valid"} {
		writeTree(t, root, map[string]string{"b.json": content})
		if _, err := Run(Options{Paths: []string{root}, Baseline: filepath.Join(root, "b.json"), Rules: testRules}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v", content, err)
		}
	}
}

// With --fix, baselined findings are left alone.
func TestBaselineFixesOnlyNewFindings(t *testing.T) {
	root := project(t, map[string]string{"a.py": sparkHeader + "bad_call()\n"})
	file := writeBaseline(t, root)
	writeTree(t, root, map[string]string{"a.py": sparkHeader + "bad_call()\nx = bad_call()\n"})
	res := run(t, Options{Paths: []string{root}, Baseline: file, Fix: true, NoCache: true})
	if got := readFile(t, filepath.Join(root, "a.py")); got != sparkHeader+"bad_call()\nx = good_call()\n" || res.Fixed != 1 {
		t.Errorf("content %q fixed %d", got, res.Fixed)
	}
}
