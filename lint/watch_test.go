package lint

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// waitFor waits for a value on ch, failing the test after a generous
// timeout (a hung watcher, not a slow one).
func waitFor[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(20 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
	var zero T
	return zero
}

// Watch runs once, again after a file is edited, and returns nil when its
// context is cancelled.
func TestWatchRerunsOnChange(t *testing.T) {
	root := project(t, map[string]string{"a.py": sparkHeader + "bad_call()\n", "notes.txt": "x"})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	runs := make(chan int, 16)
	done := make(chan error, 1)
	go func() {
		done <- Watch(ctx, WatchOptions{Paths: []string{root}, Interval: 10 * time.Millisecond, Debounce: 20 * time.Millisecond}, func() []string {
			res, err := Run(Options{Paths: []string{root}, Rules: testRules, NoCache: true})
			if err != nil {
				t.Error(err)
				return nil
			}
			runs <- len(res.Findings)
			return nil
		})
	}()
	if got := waitFor(t, runs, "the first run"); got != 1 {
		t.Errorf("first run: %d findings", got)
	}
	writeTree(t, root, map[string]string{"a.py": sparkHeader + "bad_call()\nbad_call()\n"})
	if got := waitFor(t, runs, "the run after the edit"); got != 2 {
		t.Errorf("second run: %d findings", got)
	}
	// A new file is a change too.
	writeTree(t, root, map[string]string{"sub/b.py": sparkHeader + "bad_call()\n"})
	if got := waitFor(t, runs, "the run after a new file"); got != 3 {
		t.Errorf("third run: %d findings", got)
	}
	cancel()
	if err := waitFor(t, done, "Watch to return"); err != nil {
		t.Errorf("Watch returned %v", err)
	}
}

// What is watched: Python files, notebooks and configuration, not the
// rest nor excluded folders; files a run writes itself do not trigger.
func TestWatchSnapshot(t *testing.T) {
	root := project(t, map[string]string{
		"a.py": "", "nb.ipynb": "{}", "notes.txt": "", "sparklint.toml": "",
		".venv/lib.py": "", "skipme/c.py": "", "pkg/d.py": "",
	})
	w := &watcher{opts: WatchOptions{Paths: []string{root}}, root: root}
	w.ex = newExcluder(root, []string{"skipme"})
	snap := w.snapshot()
	var got []string
	for p := range snap {
		rel, _ := filepath.Rel(root, p)
		got = append(got, filepath.ToSlash(rel))
	}
	want := map[string]bool{"a.py": true, "nb.ipynb": true, "sparklint.toml": true, "pyproject.toml": true, "pkg/d.py": true}
	if len(got) != len(want) {
		t.Errorf("watched %v", got)
	}
	for _, g := range got {
		if !want[g] {
			t.Errorf("watched %s", g)
		}
	}
	// A file whose size, time or mode changes is a change.
	path := filepath.Join(root, "a.py")
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if sameSnapshot(snap, w.snapshot()) {
		t.Error("a mode change is not a change")
	}
}
