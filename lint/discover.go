package lint

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// DefaultExclude lists the folder and file names never walked into (they
// may still be named explicitly on the command line). It is Ruff's list
// plus sparklint's own cache and "build".
var DefaultExclude = []string{
	".bzr", ".direnv", ".eggs", ".git", ".git-rewrite", ".hg", ".ipynb_checkpoints",
	".mypy_cache", ".nox", ".pants.d", ".pyenv", ".pytest_cache", ".pytype",
	".ruff_cache", ".sparklint_cache", ".svn", ".tox", ".venv", ".vscode",
	"__pypackages__", "__pycache__", "_build", "buck-out", "build", "dist",
	"node_modules", "site-packages", "venv",
}

// rootMarkers are the files whose presence makes a folder a project root.
var rootMarkers = []string{"pyproject.toml", "setup.py", "setup.cfg", ".git"}

// FindRoot returns the project root for path: the nearest folder, path's
// own (or its folder, for a file) included, that holds pyproject.toml,
// setup.py, setup.cfg or .git. When there is none, it is the working
// folder if path is inside it (as in Ruff: `sparklint check jobs` run from
// jobs/'s parent resolves `import jobs.helpers`), else path itself (its
// folder for a file). The result is absolute.
func FindRoot(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	start := abs
	if st, err := os.Stat(abs); err == nil && !st.IsDir() {
		start = filepath.Dir(abs)
	}
	for d := start; ; d = filepath.Dir(d) {
		for _, m := range rootMarkers {
			if _, err := os.Lstat(filepath.Join(d, m)); err == nil {
				return d
			}
		}
		if filepath.Dir(d) == d {
			if cwd, err := os.Getwd(); err == nil {
				if _, inside := relSlash(cwd, start); inside || cwd == start {
					return cwd
				}
			}
			return start
		}
	}
}

// excluder decides which walked paths are skipped: default names, --exclude
// globs and the .gitignore files.
type excluder struct {
	root  string // project root: --exclude globs with a "/" are relative to it
	names map[string]bool
	// base holds --exclude globs without a "/", matched against the name;
	// rooted the ones with one, matched against the root-relative path.
	base, rooted []ignorePattern
	// force applies the exclusions to the paths named explicitly too
	// (--force-exclude).
	force bool
	// scoped, when set, returns the exclusions of the configuration that
	// governs a folder (see config.go); nil means this excluder's own.
	scoped func(dir string) []*excluder
}

func newExcluder(root string, extra []string) *excluder {
	e := &excluder{root: root, names: map[string]bool{}}
	for _, n := range DefaultExclude {
		e.names[n] = true
	}
	for _, g := range extra {
		g = filepath.ToSlash(strings.TrimSpace(g))
		g = strings.TrimPrefix(g, "./")
		p, ok := parseIgnoreLine(g)
		if !ok || p.negate {
			continue
		}
		if p.anchored {
			e.rooted = append(e.rooted, p)
		} else {
			e.base = append(e.base, p)
		}
	}
	return e
}

func (e *excluder) excluded(abs, name string, isDir bool) bool {
	if e.scoped != nil {
		if list := e.scoped(filepath.Dir(abs)); list != nil {
			for _, x := range list {
				if x.excluded(abs, name, isDir) {
					return true
				}
			}
			return false
		}
	}
	if e.names[name] {
		return true
	}
	for i := range e.base {
		if e.base[i].matches(name, name, isDir) {
			return true
		}
	}
	if len(e.rooted) > 0 {
		if rel, ok := relSlash(e.root, abs); ok {
			for i := range e.rooted {
				if e.rooted[i].matches(rel, name, isDir) {
					return true
				}
			}
		}
	}
	return false
}

// relSlash returns path relative to base, slash-separated, when path is
// strictly inside base.
func relSlash(base, path string) (string, bool) {
	if len(path) <= len(base) || !strings.HasPrefix(path, base) {
		return "", false
	}
	rest := path[len(base):]
	if base[len(base)-1] != filepath.Separator {
		if rest[0] != filepath.Separator {
			return "", false
		}
		rest = rest[1:]
	}
	return filepath.ToSlash(rest), true
}

// discovered is the outcome of file discovery.
type discovered struct {
	files  []string    // absolute, cleaned, deduplicated, in walk order
	errors []FileError // paths found but not checkable (broken links...)
	dirs   []string    // the folders named on the command line, absolute
}

// discover expands paths into the Python files to check. Explicit files
// are always checked whatever their name (unless ex.force: then a named
// file or folder that a walk would skip is dropped); folders are walked for *.py and *.ipynb,
// skipping excluded and git-ignored entries. A path that does not exist is
// an error for the whole run.
func discover(paths []string, ex *excluder) (*discovered, error) {
	d := &discovered{}
	seenFile := map[string]bool{}
	seenDir := map[string]bool{} // real paths of walked folders
	addFile := func(abs string) {
		if !seenFile[abs] {
			seenFile[abs] = true
			d.files = append(d.files, abs)
		}
	}
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, err
		}
		st, err := os.Stat(abs)
		if err != nil {
			if _, lerr := os.Lstat(abs); lerr == nil {
				// A dangling symbolic link (or a loop) named explicitly:
				// report it like any unreadable file and go on.
				d.errors = append(d.errors, FileError{Path: abs, Message: linkError(err)})
				continue
			}
			if errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("%s: no such file or directory", p)
			}
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if ex.force && ex.forceExcluded(abs) {
			continue
		}
		if !st.IsDir() {
			if !st.Mode().IsRegular() {
				// Reading a FIFO or a device could block the run.
				d.errors = append(d.errors, FileError{Path: abs, Message: "cannot read: not a regular file"})
				continue
			}
			addFile(abs)
			continue
		}
		d.dirs = append(d.dirs, abs)
		resolved, err := filepath.EvalSymlinks(abs)
		if err != nil {
			resolved = abs
		}
		w := &walker{ex: ex, d: d, seenDir: seenDir, addFile: addFile}
		w.ignores = ancestorIgnores(abs, ex.root)
		w.walk(abs, resolved)
	}
	return d, nil
}

// visibility decides whether findings located in a file are reported and
// fixed. A finding may point into a file that discovery did not hand
// over: a helper module followed from a checked file. Such a file is
// hidden when discovery would have skipped it (it, or a folder on the way
// to it, is excluded by name, by --exclude or by a .gitignore), counting
// from a folder named on the command line that holds it, else from the
// project root. Discovered files, explicitly named ones included, are
// always visible.
type visibility struct {
	ex    *excluder
	files map[string]bool // discovered files
	dirs  []string        // folders named on the command line
	memo  map[string]bool // path -> hidden
}

func newVisibility(ex *excluder, d *discovered) *visibility {
	v := &visibility{ex: ex, files: make(map[string]bool, len(d.files)), dirs: d.dirs, memo: map[string]bool{}}
	for _, f := range d.files {
		v.files[f] = true
	}
	return v
}

// hidden reports whether findings in the file at path (absolute) are to
// be dropped. It is not safe for concurrent use.
func (v *visibility) hidden(path string) bool {
	if v == nil || v.files[path] {
		return false
	}
	if h, ok := v.memo[path]; ok {
		return h
	}
	var h bool
	var bases []string
	for _, d := range v.dirs {
		if _, ok := relSlash(d, path); ok {
			bases = append(bases, d)
		}
	}
	if len(bases) > 0 {
		// Walked from each of them: hidden only if every walk skips it.
		h = true
		for _, b := range bases {
			if !v.skippedFrom(b, path) {
				h = false
				break
			}
		}
	} else if _, ok := relSlash(v.ex.root, path); ok {
		h = v.skippedFrom(v.ex.root, path)
	} else {
		h = v.skippedFrom(filepath.Dir(path), path)
	}
	v.memo[path] = h
	return h
}

// skippedFrom reports whether a walk of the folder base would skip path,
// which is inside it: whether path or a folder between them is excluded
// or git-ignored.
func (v *visibility) skippedFrom(base, path string) bool {
	rel, ok := relSlash(base, path)
	if !ok {
		return false
	}
	w := &walker{ex: v.ex, ignores: ancestorIgnores(base, v.ex.root)}
	parts := strings.Split(rel, "/")
	dir := base
	for i, name := range parts {
		if data, err := os.ReadFile(filepath.Join(dir, ".gitignore")); err == nil {
			if pats := parseIgnore(data); len(pats) > 0 {
				w.ignores = append(w.ignores, &ignoreFile{base: dir, patterns: pats})
			}
		}
		full := filepath.Join(dir, name)
		if w.skip(full, name, i < len(parts)-1) {
			return true
		}
		dir = full
	}
	return false
}

type walker struct {
	ex      *excluder
	d       *discovered
	seenDir map[string]bool
	addFile func(string)
	ignores []*ignoreFile // applicable ignore files, outermost first
}

// walk visits the folder dir (whose symlink-free path is resolved). It recurses
// once per folder level. Real paths already visited are skipped: folders
// named twice on the command line (`check . src`) or reached through a
// bind mount are walked once.
func (w *walker) walk(dir, resolved string) {
	if w.seenDir[resolved] {
		return
	}
	w.seenDir[resolved] = true
	entries, err := os.ReadDir(dir)
	if err != nil {
		w.d.errors = append(w.d.errors, FileError{Path: dir, Message: "cannot read folder: " + describeIOError(err)})
		return
	}
	pushed := false
	for _, e := range entries {
		if e.Name() == ".gitignore" && e.Type().IsRegular() {
			if data, err := os.ReadFile(filepath.Join(dir, ".gitignore")); err == nil {
				if pats := parseIgnore(data); len(pats) > 0 {
					w.ignores = append(w.ignores, &ignoreFile{base: dir, patterns: pats})
					pushed = true
				}
			}
			break
		}
	}
	for _, e := range entries {
		name := e.Name()
		full := filepath.Join(dir, name)
		typ := e.Type()
		if typ&fs.ModeSymlink != 0 {
			// Links to files are followed; links to folders are not (as
			// git, Ruff and ripgrep do): a link back up the tree cannot
			// loop, and a folder linked twice is not checked twice.
			if !isSource(name) {
				continue
			}
			st, err := os.Stat(full)
			if err != nil {
				if !w.skip(full, name, false) {
					w.d.errors = append(w.d.errors, FileError{Path: full, Message: linkError(err)})
				}
				continue
			}
			typ = st.Mode().Type()
		}
		isDir := typ.IsDir()
		if w.skip(full, name, isDir) {
			continue
		}
		switch {
		case isDir:
			w.walk(full, filepath.Join(resolved, name))
		case isSource(name) && typ.IsRegular():
			w.addFile(full)
		}
	}
	if pushed {
		w.ignores = w.ignores[:len(w.ignores)-1]
	}
}

// skip reports whether the entry is excluded or git-ignored. The deepest
// ignore file that has an opinion decides, as in git.
func (w *walker) skip(full, name string, isDir bool) bool {
	if w.ex.excluded(full, name, isDir) {
		return true
	}
	for i := len(w.ignores) - 1; i >= 0; i-- {
		f := w.ignores[i]
		rel, ok := relSlash(f.base, full)
		if !ok {
			continue
		}
		if ignored, matched := f.match(rel, name, isDir); matched {
			return ignored
		}
	}
	return false
}

// ancestorIgnores loads the ignore files that apply to a walk starting at
// dir from above it: .git/info/exclude and the .gitignore files of every
// folder from the repository root (or, outside git, the project root) down
// to dir's parent. dir's own .gitignore is loaded by the walk.
func ancestorIgnores(dir, projectRoot string) []*ignoreFile {
	top := ""
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			top = d
			break
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	if top == "" {
		top = projectRoot
		if _, ok := relSlash(top, dir); !ok && top != dir {
			top = dir
		}
	}
	var chain []string
	for d := dir; ; d = filepath.Dir(d) {
		chain = append(chain, d)
		if d == top || filepath.Dir(d) == d {
			break
		}
	}
	var out []*ignoreFile
	for i := len(chain) - 1; i >= 0; i-- {
		d := chain[i]
		var pats []ignorePattern
		if d == top {
			// info/exclude ranks below the root .gitignore: same
			// folder, earlier in the list, so later lines override it.
			if data, err := os.ReadFile(filepath.Join(d, ".git", "info", "exclude")); err == nil {
				pats = append(pats, parseIgnore(data)...)
			}
		}
		if d != dir {
			if data, err := os.ReadFile(filepath.Join(d, ".gitignore")); err == nil {
				pats = append(pats, parseIgnore(data)...)
			}
		}
		if len(pats) > 0 {
			out = append(out, &ignoreFile{base: d, patterns: pats})
		}
	}
	return out
}

// linkError is the message for a symbolic link whose target os.Stat
// cannot reach (err is its error): a loop, a missing target, or another
// problem on the way.
func linkError(err error) string {
	switch {
	case errors.Is(err, syscall.ELOOP):
		return "cannot read: symbolic link loop"
	case errors.Is(err, fs.ErrNotExist):
		return "cannot read: broken symbolic link"
	}
	return "cannot read: " + describeIOError(err)
}

// describeIOError turns an I/O error into a short message without the
// path (which the caller prints already).
func describeIOError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	switch {
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	case errors.Is(err, fs.ErrNotExist):
		return "no such file or directory"
	case errors.Is(err, syscall.ELOOP):
		return "symbolic link loop"
	}
	return err.Error()
}

// isSource reports whether a file found in a folder is checked: Python
// files and Jupyter notebooks.
func isSource(name string) bool {
	return strings.HasSuffix(name, ".py") || strings.HasSuffix(name, ".ipynb")
}
