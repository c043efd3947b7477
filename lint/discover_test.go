package lint

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeTree creates files (path → content) under dir; a path ending in
// "/" is an empty folder.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for rel, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if strings.HasSuffix(rel, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// discoverRel runs discovery and returns the files relative to root.
func discoverRel(t *testing.T, root string, exclude []string, paths ...string) ([]string, []FileError) {
	t.Helper()
	d, err := discover(paths, newExcluder(root, exclude))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range d.files {
		rel, err := filepath.Rel(root, f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, filepath.ToSlash(rel))
	}
	slices.Sort(out)
	return out, d.errors
}

func gitTree(t *testing.T) string {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		".git/info/exclude":       "info_excluded.py\nreincluded.py\n",
		".gitignore":              "*.gen.py\n!keep.gen.py\n/anchored.py\nlogs/\n!logs/forced.py\ndocs/**/skip.py\ncache.py/\n!reincluded.py\n",
		"a.py":                    "",
		"notes.txt":               "",
		"stub.pyi":                "",
		"x.gen.py":                "",
		"keep.gen.py":             "",
		"anchored.py":             "",
		"sub/anchored.py":         "",
		"sub/y.gen.py":            "",
		"sub/.gitignore":          "!local.gen.py\nonly_here.py\n",
		"sub/local.gen.py":        "",
		"sub/only_here.py":        "",
		"only_here.py":            "",
		"logs/l.py":               "",
		"logs/forced.py":          "",
		"docs/skip.py":            "",
		"docs/a/b/skip.py":        "",
		"docs/keep.py":            "",
		"cache.py":                "", // a file: the dir-only pattern spares it
		"pkg/cache.py/inner.py":   "", // a folder named cache.py: ignored
		"info_excluded.py":        "",
		"reincluded.py":           "",
		"venv/v.py":               "",
		"__pycache__/c.py":        "",
		"node_modules/n.py":       "",
		".sparklint_cache/s.py":   "",
		"deep/site-packages/m.py": "",
		".hidden/h.py":            "",
	})
	return root
}

func TestDiscoverGitignore(t *testing.T) {
	root := gitTree(t)
	got, errs := discoverRel(t, root, nil, root)
	want := []string{
		".hidden/h.py", "a.py", "cache.py", "docs/keep.py", "keep.gen.py",
		"only_here.py", // sub/.gitignore applies below sub only
		"reincluded.py", "sub/anchored.py", "sub/local.gen.py",
	}
	if !slices.Equal(got, want) {
		t.Errorf("discovered\n  %v\nwant\n  %v", got, want)
	}
	if len(errs) != 0 {
		t.Errorf("errors: %v", errs)
	}
}

// A walk that starts below the repository root still honours the
// .gitignore files above it.
func TestDiscoverSubfolderUsesAncestorIgnores(t *testing.T) {
	root := gitTree(t)
	got, _ := discoverRel(t, root, nil, filepath.Join(root, "sub"))
	want := []string{"sub/anchored.py", "sub/local.gen.py"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// Files named on the command line are checked whatever their name and
// whatever ignores them; duplicates are checked once.
func TestDiscoverExplicitFiles(t *testing.T) {
	root := gitTree(t)
	got, _ := discoverRel(t, root, []string{"a.py"},
		filepath.Join(root, "x.gen.py"), filepath.Join(root, "notes.txt"),
		filepath.Join(root, "a.py"), filepath.Join(root, "x.gen.py"))
	want := []string{"a.py", "notes.txt", "x.gen.py"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestDiscoverExclude(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"a.py":              "",
		"gen_a.py":          "",
		"sub/gen_b.py":      "",
		"sub/skipme/c.py":   "",
		"other/skipme/d.py": "",
		"tests/data/e.py":   "",
		"tests/f.py":        "",
	})
	got, _ := discoverRel(t, root, []string{"gen_*", "sub/skipme", "tests/**/*.py", "./other/skipme/"}, root)
	want := []string{"a.py"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// Outside a git repository, .gitignore files still apply (a source
// tarball keeps them), from the project root down.
func TestDiscoverWithoutGit(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"pyproject.toml": "",
		".gitignore":     "gen/\n",
		"a.py":           "",
		"pkg/gen/b.py":   "",
		"pkg/c.py":       "",
	})
	got, _ := discoverRel(t, root, nil, filepath.Join(root, "pkg"))
	want := []string{"pkg/c.py"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestDiscoverSymlinks(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"a.py":       "",
		"real/b.py":  "",
		"other/c.py": "",
	})
	mustSymlink(t, "..", filepath.Join(root, "real", "up"))          // a cycle
	mustSymlink(t, "real", filepath.Join(root, "again"))             // a folder link: not followed
	mustSymlink(t, "missing.py", filepath.Join(root, "dangling.py")) // broken
	mustSymlink(t, "other/c.py", filepath.Join(root, "linked.py"))   // a file through a link
	mustSymlink(t, "missing", filepath.Join(root, "dangling_dir"))   // broken, not Python
	got, errs := discoverRel(t, root, nil, root)
	want := []string{"a.py", "linked.py", "other/c.py", "real/b.py"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if len(errs) != 1 || !strings.HasSuffix(errs[0].Path, "dangling.py") || !strings.Contains(errs[0].Message, "broken symbolic link") {
		t.Errorf("errors = %v, want one broken link error for dangling.py", errs)
	}
	// A folder link named on the command line is walked, once.
	got, _ = discoverRel(t, root, nil, filepath.Join(root, "again"), filepath.Join(root, "real"))
	if want := []string{"again/b.py"}; !slices.Equal(got, want) {
		t.Errorf("explicit folder link: got %v, want %v", got, want)
	}
}

func mustSymlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("symlinks unavailable: %v", err)
	}
}

func TestDiscoverMissingPath(t *testing.T) {
	root := t.TempDir()
	_, err := discover([]string{filepath.Join(root, "nope.py")}, newExcluder(root, nil))
	if err == nil || !strings.Contains(err.Error(), "no such file or directory") {
		t.Errorf("err = %v, want no such file", err)
	}
}

func TestFindRoot(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"proj/pyproject.toml": "",
		"proj/src/pkg/m.py":   "",
		"loose/x.py":          "",
	})
	if got := FindRoot(filepath.Join(root, "proj", "src", "pkg", "m.py")); got != filepath.Join(root, "proj") {
		t.Errorf("FindRoot(file) = %s", got)
	}
	if got := FindRoot(filepath.Join(root, "proj", "src")); got != filepath.Join(root, "proj") {
		t.Errorf("FindRoot(dir) = %s", got)
	}
	// No marker anywhere up to / (t.TempDir has none): the folder itself.
	if got := FindRoot(filepath.Join(root, "loose", "x.py")); got != filepath.Join(root, "loose") && !hasMarkerAbove(root) {
		t.Errorf("FindRoot(loose file) = %s", got)
	}
}

func hasMarkerAbove(dir string) bool {
	for d := dir; ; d = filepath.Dir(d) {
		for _, m := range rootMarkers {
			if _, err := os.Lstat(filepath.Join(d, m)); err == nil {
				return true
			}
		}
		if filepath.Dir(d) == d {
			return false
		}
	}
}

func TestVisibility(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		".gitignore":        "ignored/\n",
		"pkg/a.py":          "",
		"pkg/.gitignore":    "gen_*.py\n",
		"pkg/gen_x.py":      "",
		"pkg/helper.py":     "",
		"build/lib/x.py":    "",
		"ignored/y.py":      "",
		"vendor/skip.py":    "",
		"vendor/z.py":       "",
		"named/build/in.py": "",
	})
	ex := newExcluder(root, []string{"skip.py"})
	d, err := discover([]string{filepath.Join(root, "pkg", "a.py"), filepath.Join(root, "named"), filepath.Join(root, "vendor", "skip.py")}, ex)
	if err != nil {
		t.Fatal(err)
	}
	v := newVisibility(ex, d)
	for rel, want := range map[string]bool{
		"pkg/a.py":          false, // named
		"pkg/helper.py":     false,
		"pkg/gen_x.py":      true,  // pkg/.gitignore
		"build/lib/x.py":    true,  // default exclude
		"ignored/y.py":      true,  // root .gitignore
		"vendor/skip.py":    false, // named, though --exclude'd
		"vendor/z.py":       false,
		"named/build/in.py": true, // default exclude below a named folder
	} {
		if got := v.hidden(filepath.Join(root, filepath.FromSlash(rel))); got != want {
			t.Errorf("hidden(%s) = %v, want %v", rel, got, want)
		}
	}
	// Outside the root and the named folders, the name alone decides.
	outside := filepath.Join(t.TempDir(), "build")
	if !v.hidden(filepath.Join(outside, "skip.py")) || v.hidden(filepath.Join(outside, "o.py")) {
		t.Error("outside the root: the name alone decides")
	}
}

// A symbolic link loop is reported as such, not as a broken link.
func TestDiscoverSymlinkLoop(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{"a.py": ""})
	mustSymlink(t, "loop.py", filepath.Join(root, "loop.py"))
	mustSymlink(t, "ping.py", filepath.Join(root, "pong.py"))
	mustSymlink(t, "pong.py", filepath.Join(root, "ping.py"))
	mustSymlink(t, "missing.py", filepath.Join(root, "dangling.py"))
	check := func(errs []FileError, want map[string]string) {
		t.Helper()
		got := map[string]string{}
		for _, e := range errs {
			got[filepath.Base(e.Path)] = e.Message
		}
		if len(got) != len(want) {
			t.Errorf("errors %v, want %v", got, want)
		}
		for name, msg := range want {
			if got[name] != msg {
				t.Errorf("%s: %q, want %q", name, got[name], msg)
			}
		}
	}
	_, errs := discoverRel(t, root, nil, root)
	check(errs, map[string]string{
		"loop.py":     "cannot read: symbolic link loop",
		"ping.py":     "cannot read: symbolic link loop",
		"pong.py":     "cannot read: symbolic link loop",
		"dangling.py": "cannot read: broken symbolic link",
	})
	_, errs = discoverRel(t, root, nil, filepath.Join(root, "loop.py"), filepath.Join(root, "dangling.py"))
	check(errs, map[string]string{"loop.py": "cannot read: symbolic link loop", "dangling.py": "cannot read: broken symbolic link"})
	if _, err := readSource(filepath.Join(root, "loop.py")); err == nil || err.Error() != "cannot read: symbolic link loop" {
		t.Errorf("readSource(loop) = %v", err)
	}
	if _, err := readSource(filepath.Join(root, "dangling.py")); err == nil || err.Error() != "cannot read: broken symbolic link" {
		t.Errorf("readSource(dangling) = %v", err)
	}
}

// Without a marker, the working folder is the root of the paths inside it
// (as in Ruff); other paths are their own root.
func TestFindRootFallsBackToWorkingFolder(t *testing.T) {
	cwd, other := t.TempDir(), t.TempDir()
	if hasMarkerAbove(cwd) || hasMarkerAbove(other) {
		t.Skip("a project marker above the temporary folder")
	}
	writeTree(t, cwd, map[string]string{"jobs/main.py": "", "jobs/sub/x.py": ""})
	writeTree(t, other, map[string]string{"y.py": ""})
	t.Chdir(cwd)
	for _, p := range []string{".", "jobs", "jobs/main.py", filepath.Join(cwd, "jobs", "sub"), "jobs/sub/x.py"} {
		if got := FindRoot(p); got != cwd {
			t.Errorf("FindRoot(%s) = %s, want the working folder %s", p, got, cwd)
		}
	}
	if got := FindRoot(filepath.Join(other, "y.py")); got != other {
		t.Errorf("FindRoot(outside) = %s, want %s", got, other)
	}
}
