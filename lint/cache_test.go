package lint

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestCacheHitMissAndChange(t *testing.T) {
	root := project(t, map[string]string{
		"a.py": sparkHeader + "bad_call()\n",
		"b.py": sparkHeader + "def f(:\n",
	})
	opts := Options{Paths: []string{root}, Version: "test"}
	cold := run(t, opts)
	if cold.FilesParsed != 2 || cold.FilesCached != 0 {
		t.Fatalf("cold run: parsed %d cached %d", cold.FilesParsed, cold.FilesCached)
	}
	if _, err := os.Stat(filepath.Join(root, ".sparklint_cache", "CACHEDIR.TAG")); err != nil {
		t.Errorf("cache folder not tagged: %v", err)
	}
	warm := run(t, opts)
	if warm.FilesParsed != 0 || warm.FilesCached != 2 {
		t.Errorf("warm run: parsed %d cached %d, want 0 and 2", warm.FilesParsed, warm.FilesCached)
	}
	if !sameFindings(cold.Findings, warm.Findings) {
		t.Errorf("cached findings differ:\n%+v\n%+v", cold.Findings, warm.Findings)
	}
	// Editing a file re-checks it, and only it.
	writeTree(t, root, map[string]string{"a.py": sparkHeader + "\nbad_call()\n"})
	edited := run(t, opts)
	if edited.FilesParsed != 1 || edited.FilesCached != 1 {
		t.Errorf("after an edit: parsed %d cached %d, want 1 and 1", edited.FilesParsed, edited.FilesCached)
	}
	if got := codes(t, root, edited.Findings); !slices.Contains(got, "a.py:3:1 SPK900") {
		t.Errorf("after an edit: %v", got)
	}
	// Another rule selection is another cache.
	if other := run(t, Options{Paths: []string{root}, Version: "test", Select: []string{"SPK900"}}); other.FilesCached != 0 {
		t.Errorf("a different selection hit the cache (%d files)", other.FilesCached)
	}
	// NoCache neither reads nor writes.
	if nc := run(t, Options{Paths: []string{root}, Version: "test", NoCache: true}); nc.FilesCached != 0 || nc.FilesParsed != 2 {
		t.Errorf("--no-cache: parsed %d cached %d", nc.FilesParsed, nc.FilesCached)
	}
}

// sameFindings compares findings including the fields JSON omits.
func sameFindings(a, b []Finding) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Cell != y.Cell || x.Code != y.Code || x.Name != y.Name || x.Message != y.Message || x.Path != y.Path || x.Location != y.Location ||
			x.End != y.End || x.URL != y.URL || x.NoqaRow != y.NoqaRow || x.Offset != y.Offset || x.EndOffset != y.EndOffset ||
			x.SourceLine != y.SourceLine || (x.Fix == nil) != (y.Fix == nil) || !slices.Equal(x.Related, y.Related) {
			return false
		}
		if x.Fix != nil && (x.Fix.Applicability != y.Fix.Applicability || x.Fix.Message != y.Fix.Message || !slices.Equal(x.Fix.Edits, y.Fix.Edits)) {
			return false
		}
	}
	return true
}

// A result that depends on another module (a finding reported in it) is
// invalidated when that module changes, though the file itself did not.
func TestCacheDependencyInvalidation(t *testing.T) {
	root := project(t, map[string]string{
		"main.py":   sparkHeader + "import helper\n",
		"helper.py": "x = 1  # BAD\n",
	})
	opts := Options{Paths: []string{filepath.Join(root, "main.py")}, Version: "test"}
	first := run(t, opts)
	if got := codes(t, root, first.Findings); !slices.Equal(got, []string{"helper.py:1:10 SPK900"}) {
		t.Fatalf("findings %v", got)
	}
	if again := run(t, opts); again.FilesCached != 1 || len(again.Findings) != 1 {
		t.Errorf("unchanged: cached %d findings %d", again.FilesCached, len(again.Findings))
	}
	writeTree(t, root, map[string]string{"helper.py": "x = 1  # fine\n"})
	after := run(t, opts)
	if after.FilesCached != 0 || len(after.Findings) != 0 {
		t.Errorf("helper changed: cached %d findings %v", after.FilesCached, codes(t, root, after.Findings))
	}
	// Deleting a dependency invalidates too.
	root2 := project(t, map[string]string{
		"main.py":   sparkHeader + "import helper\n",
		"helper.py": "BAD = 1\n",
	})
	opts2 := Options{Paths: []string{filepath.Join(root2, "main.py")}, Version: "test"}
	if first := run(t, opts2); len(first.Findings) != 1 {
		t.Fatalf("findings %v", codes(t, root2, first.Findings))
	}
	if err := os.Remove(filepath.Join(root2, "helper.py")); err != nil {
		t.Fatal(err)
	}
	if gone := run(t, opts2); gone.FilesCached != 0 || len(gone.Findings) != 0 {
		t.Errorf("helper deleted: cached %d findings %d", gone.FilesCached, len(gone.Findings))
	}
}

func TestCacheCorruptEntriesIgnored(t *testing.T) {
	root := project(t, map[string]string{"a.py": sparkHeader + "bad_call()\n"})
	opts := Options{Paths: []string{root}, Version: "test"}
	want := run(t, opts)
	entries, _ := filepath.Glob(filepath.Join(root, ".sparklint_cache", "*", "*.json"))
	if len(entries) != 1 {
		t.Fatalf("cache entries: %v", entries)
	}
	for _, garbage := range []string{"", "{", `{"p": 1}`, "\x00\x01", `{"p":"` + filepath.Join(root, "a.py") + `","h":"x"}`} {
		if err := os.WriteFile(entries[0], []byte(garbage), 0o644); err != nil {
			t.Fatal(err)
		}
		got := run(t, opts)
		if got.FilesCached != 0 || !sameFindings(got.Findings, want.Findings) {
			t.Errorf("corrupt entry %q: cached %d findings %+v", garbage, got.FilesCached, got.Findings)
		}
	}
	if got := run(t, opts); got.FilesCached != 1 {
		t.Errorf("entry not rewritten after corruption")
	}
}

// Concurrent runs share the cache without corrupting it.
func TestCacheConcurrentRuns(t *testing.T) {
	files := map[string]string{}
	for i := range 20 {
		files["m"+strings.Repeat("x", i)+".py"] = sparkHeader + "bad_call()\n"
	}
	root := project(t, files)
	opts := Options{Paths: []string{root}, Version: "test", Rules: testRules}
	var wg sync.WaitGroup
	results := make([]*Result, 4)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := Run(opts)
			if err != nil {
				t.Error(err)
				return
			}
			results[i] = res
		}()
	}
	wg.Wait()
	final := run(t, opts)
	if final.FilesCached != 20 {
		t.Errorf("after concurrent runs: %d of 20 cached", final.FilesCached)
	}
	for _, r := range results {
		if r != nil && !sameFindings(r.Findings, final.Findings) {
			t.Error("concurrent run saw different findings")
		}
	}
	leftovers, _ := filepath.Glob(filepath.Join(root, ".sparklint_cache", "*", ".*tmp*"))
	if len(leftovers) != 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

// An unwritable cache folder turns caching off with a warning.
func TestCacheUnwritable(t *testing.T) {
	root := project(t, map[string]string{"a.py": sparkHeader + "bad_call()\n"})
	blocker := filepath.Join(root, "blocker")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	res := run(t, Options{Paths: []string{root}, CacheDir: filepath.Join(blocker, "cache")})
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "cache disabled") || len(res.Findings) != 1 {
		t.Errorf("warnings %v findings %d", res.Warnings, len(res.Findings))
	}
}

// Config folders not written for a long time are removed; others stay.
func TestCachePrunesStaleConfigs(t *testing.T) {
	root := project(t, map[string]string{"a.py": sparkHeader + "bad_call()\n"})
	base := filepath.Join(root, ".sparklint_cache")
	old := filepath.Join(base, "0123456789abcdef")
	recent := filepath.Join(base, "fedcba9876543210")
	other := filepath.Join(base, "not-a-config")
	for _, d := range []string{old, recent, other} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	long := time.Now().Add(-2 * staleAfter)
	for _, d := range []string{old, other} {
		if err := os.Chtimes(d, long, long); err != nil {
			t.Fatal(err)
		}
	}
	run(t, Options{Paths: []string{root}, Version: "test"})
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("stale config folder kept: %v", err)
	}
	for _, d := range []string{recent, other} {
		if _, err := os.Stat(d); err != nil {
			t.Errorf("%s removed: %v", d, err)
		}
	}
}

// A finding's notebook cell survives the cache.
func TestCacheKeepsNotebookCell(t *testing.T) {
	c, warn := openCache(t.TempDir(), "0123456789abcdef", testRules)
	if warn != "" {
		t.Fatal(warn)
	}
	abs := filepath.Join(t.TempDir(), "nb.ipynb")
	res := FileResult{Lines: 9, Parsed: true, Findings: []Finding{{Cell: 3, Code: "SPK900", Name: "test-bad-call", URL: testRule.URL(),
		Message: "`bad_call` is bad", Path: abs, Location: Position{2, 5}, End: Position{2, 13}, NoqaRow: 2}}}
	c.store(abs, "hash", res)
	got, ok := c.lookup(abs, "hash")
	if !ok || !sameFindings(got.Findings, res.Findings) {
		t.Errorf("lookup = %+v, %v; want %+v", got.Findings, ok, res.Findings)
	}
}
