package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Tests of the pull-request and editing-session flags: --diff,
// --show-fixes, --diff-base, --baseline/--write-baseline and --watch.

const groupByKeys = `from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()
pairs = spark.sparkContext.parallelize([("a", 1)])
revenue = pairs.groupByKey().mapValues(sum)
biggest = pairs.groupByKey().mapValues(max)
`

const groupByKeysFixed = `from pyspark.sql import SparkSession
import operator

spark = SparkSession.builder.getOrCreate()
pairs = spark.sparkContext.parallelize([("a", 1)])
revenue = pairs.reduceByKey(operator.add)
biggest = pairs.reduceByKey(max)
`

func TestCheckDiff(t *testing.T) {
	root := tree(t, map[string]string{"jobs/a.py": groupByKeys})
	path := filepath.Join(root, "jobs", "a.py")
	code, out, errOut := sparklint(t, root, "check", "--diff", "--no-cache")
	want := `--- a/jobs/a.py
+++ b/jobs/a.py
@@ -1,6 +1,7 @@
 from pyspark.sql import SparkSession
+import operator
 
 spark = SparkSession.builder.getOrCreate()
 pairs = spark.sparkContext.parallelize([("a", 1)])
-revenue = pairs.groupByKey().mapValues(sum)
-biggest = pairs.groupByKey().mapValues(max)
+revenue = pairs.reduceByKey(operator.add)
+biggest = pairs.reduceByKey(max)
`
	if code != 1 || out != want || errOut != "Would fix 2 errors.\n" {
		t.Errorf("--diff: status %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if data, _ := os.ReadFile(path); string(data) != groupByKeys {
		t.Error("--diff wrote the file")
	}
	// The diff applies (with git apply, when git is installed) and gives
	// what --fix writes.
	if gitPath, err := exec.LookPath("git"); err == nil {
		cmd := exec.Command(gitPath, "apply", "-")
		cmd.Dir, cmd.Stdin = root, strings.NewReader(out)
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git apply: %v\n%s", err, msg)
		}
		if data, _ := os.ReadFile(path); string(data) != groupByKeysFixed {
			t.Errorf("after git apply: %q", data)
		}
		if err := os.WriteFile(path, []byte(groupByKeys), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if code, _, _ := sparklint(t, root, "check", "--fix"); code != 0 {
		t.Errorf("--fix: status %d", code)
	}
	if data, _ := os.ReadFile(path); string(data) != groupByKeysFixed {
		t.Errorf("--fix wrote %q", data)
	}
	code, out, errOut = sparklint(t, root, "check", "--diff")
	if code != 0 || out != "" || errOut != "No errors would be fixed.\n" {
		t.Errorf("--diff after --fix: %d %q %q", code, out, errOut)
	}
}

// --diff shows unsafe fixes only with --unsafe-fixes.
func TestCheckDiffUnsafe(t *testing.T) {
	src, err := os.ReadFile("../../fixtures/SPK401/fix.py")
	if err != nil {
		t.Skip("SPK401 fixture missing:", err)
	}
	root := tree(t, map[string]string{"fix.py": string(src)})
	if code, out, _ := sparklint(t, root, "check", "--diff", "--select", "SPK401"); code != 0 || out != "" {
		t.Errorf("--diff without --unsafe-fixes: %d %q", code, out)
	}
	code, out, errOut := sparklint(t, root, "check", "--diff", "--unsafe-fixes", "--select", "SPK401")
	if code != 1 || !strings.HasPrefix(out, "--- a/fix.py\n+++ b/fix.py\n@@ ") || !strings.Contains(out, "\n+") || !strings.HasPrefix(errOut, "Would fix ") {
		t.Errorf("--diff --unsafe-fixes: %d\n%s\n%s", code, out, errOut)
	}
	if data, _ := os.ReadFile(filepath.Join(root, "fix.py")); string(data) != string(src) {
		t.Error("--diff wrote the file")
	}
}

func TestCheckShowFixes(t *testing.T) {
	root := tree(t, map[string]string{"a.py": groupByKeys})
	code, out, _ := sparklint(t, root, "check", "--show-fixes", "--output-format", "concise")
	if want := "\n2 fixable errors:\n- a.py:\n    2 × SPK201 (group-by-key)\n"; code != 1 || !strings.HasSuffix(out, want) {
		t.Errorf("--show-fixes without --fix: %d\n%s", code, out)
	}
	code, out, _ = sparklint(t, root, "check", "--fix", "--show-fixes")
	if want := "Found 2 errors (2 fixed, 0 remaining).\n\nFixed 2 errors:\n- a.py:\n    2 × SPK201 (group-by-key)\n"; code != 0 || !strings.HasSuffix(out, want) {
		t.Errorf("--fix --show-fixes: %d\n%s", code, out)
	}
	code, out, _ = sparklint(t, root, "check", "--fix", "--show-fixes")
	if code != 0 || !strings.HasSuffix(out, "\nNo errors fixed.\n") {
		t.Errorf("second --fix --show-fixes: %d\n%s", code, out)
	}
	// With --diff the listing replaces the summary on standard error; with
	// a JSON report it goes to standard error too.
	if err := os.WriteFile(filepath.Join(root, "a.py"), []byte(groupByKeys), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, errOut := sparklint(t, root, "check", "--diff", "--show-fixes")
	if errOut != "Would fix 2 errors:\n- a.py:\n    2 × SPK201 (group-by-key)\n" {
		t.Errorf("--diff --show-fixes: %q", errOut)
	}
	_, out, errOut = sparklint(t, root, "check", "--show-fixes", "--output-format", "json")
	if !strings.HasPrefix(out, "[") || !strings.Contains(errOut, "2 fixable errors:") {
		t.Errorf("--show-fixes with JSON: %q %q", out, errOut)
	}
}

func gitCmd(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func TestCheckDiffBase(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	root := tree(t, map[string]string{"a.py": groupByKeys})
	gitCmd(t, root, "init", "-q", "-b", "main")
	gitCmd(t, root, "config", "user.name", "Test")
	gitCmd(t, root, "config", "user.email", "test@example.com")
	gitCmd(t, root, "add", "-A")
	gitCmd(t, root, "commit", "-q", "-m", "old code")
	gitCmd(t, root, "checkout", "-q", "-b", "feature")
	if code, out, _ := sparklint(t, root, "check", "--diff-base", "main"); code != 0 || out != "All checks passed!\n" {
		t.Errorf("no change: %d %q", code, out)
	}
	if err := os.WriteFile(filepath.Join(root, "a.py"), []byte(groupByKeys+"smallest = pairs.groupByKey().mapValues(min)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gitCmd(t, root, "commit", "-q", "-am", "new code")
	code, out, _ := sparklint(t, root, "check", "--diff-base", "main", "--output-format", "concise")
	if code != 1 || !strings.HasPrefix(out, "a.py:7:18: SPK201 ") || strings.Count(out, "SPK201") != 1 {
		t.Errorf("--diff-base main: %d\n%s", code, out)
	}
	code, _, errOut := sparklint(t, root, "check", "--diff-base", "no-such-branch")
	if code != 2 || !strings.Contains(errOut, `unknown revision "no-such-branch"`) {
		t.Errorf("unknown revision: %d %q", code, errOut)
	}
	plain := tree(t, map[string]string{"a.py": groupByKeys})
	t.Setenv("GIT_CEILING_DIRECTORIES", filepath.Dir(plain))
	code, _, errOut = sparklint(t, plain, "check", "--diff-base", "main")
	if code != 2 || !strings.Contains(errOut, "not in a git repository") {
		t.Errorf("outside a repository: %d %q", code, errOut)
	}
}

func TestCheckBaseline(t *testing.T) {
	root := tree(t, map[string]string{"a.py": groupByKeys})
	code, out, errOut := sparklint(t, root, "check", "--write-baseline", "sparklint-baseline.json")
	if code != 0 || out != "" || errOut != "Wrote 2 findings to the baseline sparklint-baseline.json.\n" {
		t.Errorf("--write-baseline: %d %q %q", code, out, errOut)
	}
	if code, out, _ := sparklint(t, root, "check", "--baseline", "sparklint-baseline.json"); code != 0 || out != "All checks passed!\n" {
		t.Errorf("--baseline: %d %q", code, out)
	}
	shifted := "# a new comment\n" + groupByKeys + "smallest = pairs.groupByKey().mapValues(min)\n"
	if err := os.WriteFile(filepath.Join(root, "a.py"), []byte(shifted), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ = sparklint(t, root, "check", "--baseline", "sparklint-baseline.json", "--output-format", "concise")
	if code != 1 || !strings.HasPrefix(out, "a.py:8:18: SPK201 ") || strings.Count(out, "SPK201") != 1 {
		t.Errorf("--baseline with a new finding: %d\n%s", code, out)
	}
	if code, _, errOut := sparklint(t, root, "check", "--baseline", "missing.json"); code != 2 || !strings.Contains(errOut, "cannot read the baseline") {
		t.Errorf("missing baseline: %d %q", code, errOut)
	}
	if code, _, errOut := sparklint(t, root, "check", "--watch", "--write-baseline", "b.json"); code != 2 || !strings.Contains(errOut, "cannot be combined") {
		t.Errorf("--watch --write-baseline: %d %q", code, errOut)
	}
}

// syncBuffer is a bytes.Buffer safe for the watcher's writes and the
// test's reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// --watch reports again after an edit and exits 0 when cancelled (as on
// Ctrl-C).
func TestCheckWatch(t *testing.T) {
	root := tree(t, map[string]string{"a.py": groupByKeys})
	t.Chdir(root)
	t.Setenv("NO_COLOR", "1")
	watchInterval, watchDebounce = 10*time.Millisecond, 20*time.Millisecond
	defer func() { watchInterval, watchDebounce = 0, 0 }()
	var out, errb syncBuffer
	status := -1
	cmd := newRootCmd(&out, &errb, &status)
	cmd.SetArgs([]string{"check", "--watch", "--output-format", "concise"})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(ctx) }()
	waitOutput := func(what string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for !strings.Contains(out.String(), what) {
			if time.Now().After(deadline) {
				t.Fatalf("no %q in the output:\n%s\nstderr:\n%s", what, out.String(), errb.String())
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	waitOutput("Found 2 errors.")
	if !strings.Contains(out.String(), "Starting linter in watch mode...") {
		t.Errorf("first report: %s", out.String())
	}
	if err := os.WriteFile("a.py", []byte(groupByKeys+"smallest = pairs.groupByKey().mapValues(min)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	waitOutput("Found 3 errors.")
	if !strings.Contains(out.String(), "File change detected...") {
		t.Errorf("second report: %s", out.String())
	}
	cancel()
	select {
	case err := <-done:
		if err != nil || status != 0 {
			t.Errorf("watch ended with %v, status %d", err, status)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("--watch did not stop when cancelled")
	}
}
