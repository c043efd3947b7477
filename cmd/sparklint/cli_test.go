package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sparklint/sparklint/checks"
	"github.com/sparklint/sparklint/lint"
)

// These tests drive the real command line in-process (run is main without
// the process) on temporary projects. Until the catalogue settles they
// rely on SPK001 (a syntax error in a file that mentions pyspark) for
// findings, which every rule set has.

const syntaxError = "import pyspark\n\ndef f(:\n    pass\n"

// sparklint runs the command line in dir and returns its exit status and
// output.
func sparklint(t *testing.T, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	if dir != "" {
		t.Chdir(dir)
	}
	t.Setenv("NO_COLOR", "1")
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// tree writes files under a new project folder (with a pyproject.toml).
func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	files["pyproject.toml"] = ""
	for rel, content := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, out, _ := sparklint(t, "", args...)
		if code != 0 || out != "sparklint "+version+"\n" {
			t.Errorf("%v: %d %q", args, code, out)
		}
	}
}

func TestRule(t *testing.T) {
	code, out, _ := sparklint(t, "", "rule", "spk001")
	if code != 0 || !strings.HasPrefix(out, "# SPK001 syntax-error\n") {
		t.Errorf("rule spk001: %d %q", code, out)
	}
	code, out, _ = sparklint(t, "", "rule", "--all")
	if code != 0 {
		t.Errorf("rule --all: %d", code)
	}
	for _, r := range checks.All() {
		if !strings.Contains(out, "# "+r.Code+" "+r.Name+"\n") {
			t.Errorf("rule --all lacks %s", r.Code)
		}
	}
	for _, args := range [][]string{{"rule", "SPK0000"}, {"rule"}, {"rule", "SPK001", "--all"}, {"rule", "a", "b"}} {
		code, out, errOut := sparklint(t, "", args...)
		if code != 2 || out != "" || !strings.HasPrefix(errOut, "sparklint: error: ") {
			t.Errorf("%v: %d %q %q", args, code, out, errOut)
		}
	}
	if _, _, errOut := sparklint(t, "", "rule", "SPK0000"); !strings.Contains(errOut, `unknown rule code "SPK0000"`) {
		t.Errorf("unknown code message: %q", errOut)
	}
}

func TestCheckExitCodes(t *testing.T) {
	clean := tree(t, map[string]string{"ok.py": "import pyspark\nx = 1\n"})
	code, out, errOut := sparklint(t, clean, "check")
	if code != 0 || out != "All checks passed!\n" || errOut != "" {
		t.Errorf("clean: %d %q %q", code, out, errOut)
	}
	dirty := tree(t, map[string]string{"ok.py": "import pyspark\n", "pkg/bad.py": syntaxError})
	code, out, _ = sparklint(t, dirty, "check")
	if code != 1 || !strings.HasPrefix(out, filepath.Join("pkg", "bad.py")+":3:7: SPK001 ") || !strings.HasSuffix(out, "Found 1 error.\n") {
		t.Errorf("findings: %d %q", code, out)
	}
	// Ignoring the rule makes the run clean.
	if code, _, _ := sparklint(t, dirty, "check", "--ignore", "SPK001"); code != 0 {
		t.Errorf("--ignore SPK001: %d", code)
	}
	for _, args := range [][]string{
		{"check", "missing.py"},
		{"check", "--select", "SPK7777"},
		{"check", "--output-format", "xml"},
		{"check", "--jobs", "-1"},
		{"check", "--no-such-flag"},
		{"chekc"},
	} {
		code, out, errOut := sparklint(t, dirty, args...)
		if code != 2 || out != "" || !strings.HasPrefix(errOut, "sparklint: error: ") {
			t.Errorf("%v: %d %q %q", args, code, out, errOut)
		}
	}
}

func TestCheckOutputStatusInternal(t *testing.T) {
	var out, errb bytes.Buffer
	res := &lint.Result{Files: 1, Internal: true, Errors: []lint.FileError{{Path: "x.py", Message: "internal error in SPK999: panic: boom", Internal: true}}}
	if code := checkOutput(res, "text", false, false, &out, &errb); code != 2 {
		t.Errorf("internal error: status %d, want 2", code)
	}
	if !strings.Contains(errb.String(), "sparklint: x.py: internal error in SPK999") {
		t.Errorf("stderr %q", errb.String())
	}
}

// Bad input: each file gets a clear message on stderr, the run goes on and
// still reports the findings of the other files.
func TestCheckBadFiles(t *testing.T) {
	root := tree(t, map[string]string{
		"bad.py":    syntaxError,
		"utf8.py":   "import pyspark\ns = '\xc3\x28'\n",
		"binary.py": "import pyspark\n\x00\x00\x7fELF",
		"empty.py":  "",
		"deep.py":   "import pyspark\nx = " + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + "\n",
	})
	big := bytes.Repeat([]byte("import pyspark  # padding padding padding\n"), 11<<20/42)
	if err := os.WriteFile(filepath.Join(root, "big.py"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	unreadable := "dangling.py"
	if os.Geteuid() == 0 {
		// root reads any file: a dangling link is the unreadable file.
		if err := os.Symlink("nowhere.py", filepath.Join(root, unreadable)); err != nil {
			t.Skip(err)
		}
	} else {
		unreadable = "locked.py"
		if err := os.WriteFile(filepath.Join(root, unreadable), []byte("import pyspark\n"), 0); err != nil {
			t.Fatal(err)
		}
	}
	// A folder with a Python name is walked, not read.
	if err := os.MkdirAll(filepath.Join(root, "folder.py"), 0o755); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := sparklint(t, root, "check", "--no-cache")
	if code != 1 {
		t.Errorf("status %d, want 1 (findings in bad.py; file errors alone do not change it)", code)
	}
	if !strings.Contains(out, "bad.py:3:7: SPK001") || !strings.Contains(out, "Found 1 error.") || !strings.Contains(out, "5 files could not be checked") {
		t.Errorf("stdout:\n%s", out)
	}
	for _, want := range []string{
		"sparklint: utf8.py: invalid UTF-8 at line 2",
		"sparklint: binary.py: binary file",
		"sparklint: big.py: file is ",
		"sparklint: deep.py: syntax tree nested",
		"sparklint: " + unreadable + ": cannot read: ",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if strings.Contains(errOut, "empty.py") || strings.Contains(errOut, "folder.py") || strings.Contains(errOut, "internal") {
		t.Errorf("unexpected stderr:\n%s", errOut)
	}
	if n := strings.Count(errOut, "\n"); n != 5 {
		t.Errorf("%d lines on stderr, want 5:\n%s", n, errOut)
	}
}

func TestCheckJSONAndStatistics(t *testing.T) {
	root := tree(t, map[string]string{"a.py": syntaxError, "b.py": syntaxError})
	code, out, _ := sparklint(t, root, "check", "--output-format", "json", "--no-cache")
	var got []map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil || code != 1 || len(got) != 2 {
		t.Fatalf("json: %d %v %q", code, err, out)
	}
	keys := []string{"cell", "code", "end_location", "filename", "fix", "location", "message", "noqa_row", "url"}
	for _, k := range keys {
		if _, ok := got[0][k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	if len(got[0]) != len(keys) || got[0]["filename"] != "a.py" || got[0]["code"] != "SPK001" {
		t.Errorf("JSON object %v", got[0])
	}
	code, out, _ = sparklint(t, root, "check", "--statistics", "--no-cache")
	if code != 1 || out != "2\tSPK001\tsyntax-error\n" {
		t.Errorf("statistics: %d %q", code, out)
	}
	code, out, _ = sparklint(t, root, "check", "--statistics", "--output-format", "json", "--no-cache")
	if code != 1 || !strings.Contains(out, `"count": 2`) || !strings.Contains(out, `"fixable_count": 0`) {
		t.Errorf("statistics json: %d %q", code, out)
	}
	if code, out, _ := sparklint(t, t.TempDir(), "check", "--output-format", "json"); code != 0 || out != "[]\n" {
		t.Errorf("empty json: %d %q", code, out)
	}
}

func TestCheckCacheFolder(t *testing.T) {
	root := tree(t, map[string]string{"src/a.py": syntaxError})
	if code, _, _ := sparklint(t, filepath.Join(root, "src"), "check", "--no-cache"); code != 1 {
		t.Fatalf("status %d", code)
	}
	if _, err := os.Stat(filepath.Join(root, ".sparklint_cache")); !os.IsNotExist(err) {
		t.Errorf("--no-cache wrote a cache: %v", err)
	}
	// The cache goes to the project root, not the working folder.
	for range 2 {
		if code, _, _ := sparklint(t, filepath.Join(root, "src"), "check"); code != 1 {
			t.Fatalf("status %d", code)
		}
	}
	if _, err := os.Stat(filepath.Join(root, ".sparklint_cache", "CACHEDIR.TAG")); err != nil {
		t.Errorf("no cache at the project root: %v", err)
	}
}

func TestCheckNoFiles(t *testing.T) {
	code, out, errOut := sparklint(t, t.TempDir(), "check")
	if code != 0 || out != "All checks passed!\n" || !strings.Contains(errOut, "No Python files found") {
		t.Errorf("%d %q %q", code, out, errOut)
	}
}

// --fix end to end with SPK201's fix fixture: the file becomes the golden,
// a second --fix changes nothing.
func TestCheckFix(t *testing.T) {
	src, err := os.ReadFile("../../fixtures/SPK201/fix.py")
	if err != nil {
		t.Skip("SPK201 fixture missing:", err)
	}
	want, err := os.ReadFile("../../fixtures/SPK201/fix.py.golden")
	if err != nil {
		t.Skip("SPK201 golden missing:", err)
	}
	root := tree(t, map[string]string{"fix.py": string(src)})
	code, out, errOut := sparklint(t, root, "check", "--fix", "--select", "SPK201")
	got, _ := os.ReadFile(filepath.Join(root, "fix.py"))
	if string(got) != string(want) {
		t.Errorf("fixed file differs from the golden:\n%s\nstdout:\n%s\nstderr:\n%s", got, out, errOut)
	}
	if !strings.Contains(out, " fixed, ") {
		t.Errorf("summary: %q", out)
	}
	_ = code
	code2, out2, _ := sparklint(t, root, "check", "--fix", "--select", "SPK201")
	again, _ := os.ReadFile(filepath.Join(root, "fix.py"))
	if string(again) != string(got) || strings.Contains(out2, " fixed, ") || code2 != code {
		t.Errorf("second --fix: status %d (first %d), output %q", code2, code, out2)
	}
}

// The built binary: the version is set with -ldflags and the exit status
// reaches the shell.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "sparklint")
	build := exec.Command("go", "build", "-ldflags", "-X main.version=9.9.9-test", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil || string(out) != "sparklint 9.9.9-test\n" {
		t.Errorf("version: %v %q", err, out)
	}
	root := tree(t, map[string]string{"bad.py": syntaxError})
	cmd := exec.Command(bin, "check", "--no-cache", root)
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	err = cmd.Run()
	var exit *exec.ExitError
	if ok := asExit(err, &exit); !ok || exit.ExitCode() != 1 {
		t.Errorf("check with findings: %v, want exit status 1", err)
	}
	err = exec.Command(bin, "check", filepath.Join(root, "missing.py")).Run()
	if ok := asExit(err, &exit); !ok || exit.ExitCode() != 2 {
		t.Errorf("check of a missing file: %v, want exit status 2", err)
	}
}

func asExit(err error, target **exec.ExitError) bool {
	return errors.As(err, target)
}

// A cached run prints what a cold one does, notebook cells included.
func TestCheckCachedNotebookKeepsCell(t *testing.T) {
	nb := `{"cells": [
 {"cell_type": "markdown", "source": ["# Orders\n"]},
 {"cell_type": "code", "source": ["orders = spark.read.parquet('s3://lake/orders')\n"]},
 {"cell_type": "code", "source": ["n = orders.count()\n", "rows = orders.collect()\n"]}
], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`
	dir := tree(t, map[string]string{"nb.ipynb": nb})
	_, cold, _ := sparklint(t, dir, "check", "--output-format", "concise")
	_, warm, _ := sparklint(t, dir, "check", "--output-format", "concise")
	if !strings.HasPrefix(cold, "nb.ipynb:cell 3:2:") || warm != cold {
		t.Errorf("cold run:\n%s\nwarm run:\n%s", cold, warm)
	}
	if _, err := os.Stat(filepath.Join(dir, ".sparklint_cache")); err != nil {
		t.Errorf("no cache written: %v", err)
	}
}

// --fix keeps a CRLF file's line endings: inserted lines end in \r\n too.
func TestCheckFixCRLF(t *testing.T) {
	src, err := os.ReadFile("../../fixtures/SPK201/fix.py")
	if err != nil {
		t.Skip("SPK201 fixture missing:", err)
	}
	want, err := os.ReadFile("../../fixtures/SPK201/fix.py.golden")
	if err != nil {
		t.Skip("SPK201 golden missing:", err)
	}
	crlf := func(b []byte) string { return strings.ReplaceAll(string(b), "\n", "\r\n") }
	root := tree(t, map[string]string{"fix.py": crlf(src)})
	_, out, errOut := sparklint(t, root, "check", "--fix", "--select", "SPK201")
	got, _ := os.ReadFile(filepath.Join(root, "fix.py"))
	if string(got) != crlf(want) {
		t.Errorf("fixed file differs from the CRLF golden:\n%q\nstdout:\n%s\nstderr:\n%s", got, out, errOut)
	}
	lines := strings.SplitAfter(string(got), "\n")
	for i, l := range lines[:len(lines)-1] {
		if !strings.HasSuffix(l, "\r\n") {
			t.Errorf("line %d ends in a bare \\n: %q", i+1, l)
		}
	}
}

// looseJobs writes, into a new folder with no project marker, a package
// whose entry point ships a helper that mutates a module-level list.
func looseJobs(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for d := dir; ; d = filepath.Dir(d) {
		for _, m := range []string{"pyproject.toml", "setup.py", "setup.cfg", ".git"} {
			if _, err := os.Lstat(filepath.Join(d, m)); err == nil {
				t.Skipf("%s has a project marker above it", dir)
			}
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	files := map[string]string{
		"jobs/__init__.py": `"""Jobs."""` + "\n",
		"jobs/helpers.py":  "REJECTED = []\n\n\ndef clean(line):\n    if not line.strip():\n        REJECTED.append(line)\n        return None\n    return line.lower()\n",
		"jobs/main.py": "from pyspark.sql import SparkSession\n\nfrom jobs.helpers import clean\n\n" +
			"spark = SparkSession.builder.getOrCreate()\nsc = spark.sparkContext\n\n" +
			"sc.textFile(\"s3://landing/raw/*.txt\").map(clean).count()\n",
	}
	for rel, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// Without a project marker the working folder is the root (as in Ruff), so
// `import jobs.helpers` resolves when checking jobs/ from its parent.
func TestCheckRootDefaultsToWorkingFolder(t *testing.T) {
	dir := looseJobs(t)
	helpers := filepath.Join("jobs", "helpers.py") + ":6:9: SPK101 "
	for _, path := range []string{"jobs", filepath.Join("jobs", "main.py")} {
		code, out, errOut := sparklint(t, dir, "check", "--output-format", "concise", path)
		if code != 1 || !strings.HasPrefix(out, helpers) {
			t.Errorf("check %s: status %d, want the SPK101 in jobs/helpers.py:\n%s%s", path, code, out, errOut)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, ".sparklint_cache")); err != nil {
		t.Errorf("no cache under the root: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "jobs", ".sparklint_cache")); !os.IsNotExist(err) {
		t.Errorf("cache inside jobs/: %v", err)
	}
}

// Findings in excluded files are not reported (and not fixed); files named
// on the command line count as included.
func TestCheckFindingsInExcludedFilesDropped(t *testing.T) {
	dir := looseJobs(t)
	for _, args := range [][]string{
		{"--exclude", "helpers.py"},
		{"--exclude", "jobs/helpers.py"},
		{"--exclude", "jobs/helpers.py", "jobs/main.py"},
	} {
		code, out, errOut := sparklint(t, dir, append([]string{"check", "--no-cache", "--output-format", "concise"}, args...)...)
		if code != 0 || strings.Contains(out, "SPK101") {
			t.Errorf("check %v: status %d, want no finding:\n%s%s", args, code, out, errOut)
		}
	}
	// A .gitignore'd helper is excluded too.
	if err := os.WriteFile(filepath.Join(dir, ".gitignore"), []byte("helpers.py\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := sparklint(t, dir, "check", "--no-cache", "jobs"); code != 0 || strings.Contains(out, "SPK101") {
		t.Errorf("git-ignored helper: status %d:\n%s", code, out)
	}
	// Named explicitly, it is checked whatever the excludes say.
	code, out, _ := sparklint(t, dir, "check", "--no-cache", "--output-format", "concise", "--exclude", "helpers.py", "jobs/main.py", "jobs/helpers.py")
	if code != 1 || !strings.Contains(out, "SPK101") {
		t.Errorf("helper named explicitly: status %d:\n%s", code, out)
	}
}
