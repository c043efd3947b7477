package lint

import (
	"bytes"
	"fmt"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/sparklint/sparklint/pyparse"
)

// Project is the set of Python modules of one run. Modules are parsed once,
// on first use (checked or imported), and shared read-only between the
// goroutines that check files; it implements pyparse.Project.
type Project struct {
	Root string
	Fset *token.FileSet
	cwd  string

	mu      sync.Mutex
	modules map[string]*moduleEntry
	byFile  map[*token.File]*pyparse.Module
	sparky  map[string]bool
	missing map[string]map[string]bool // importing file → files its imports did not find
	// resolved memoises import resolution per importing folder.
	resolved map[resolveKey]resolution
}

type moduleEntry struct {
	once sync.Once
	mod  *pyparse.Module
	err  error
	hash string
}

// NewProject returns a project rooted at root.
func NewProject(root string) *Project {
	abs, err := filepath.Abs(root)
	if err != nil {
		abs = root
	}
	cwd, _ := os.Getwd()
	return &Project{Root: abs, cwd: cwd, Fset: token.NewFileSet(), modules: map[string]*moduleEntry{}, byFile: map[*token.File]*pyparse.Module{}, sparky: map[string]bool{}, missing: map[string]map[string]bool{}, resolved: map[resolveKey]resolution{}}
}

// Parse returns the module of path, parsing src (or reading the file when
// src is nil) the first time.
func (p *Project) Parse(path string, src []byte) (*pyparse.Module, error) {
	key, err := filepath.Abs(path)
	if err != nil {
		key = path
	}
	p.mu.Lock()
	e := p.modules[key]
	if e == nil {
		e = &moduleEntry{}
		p.modules[key] = e
	}
	p.mu.Unlock()
	e.once.Do(func() {
		defer func() {
			if r := recover(); r != nil {
				e.mod, e.err = nil, fmt.Errorf("internal error while parsing: %v", r)
			}
		}()
		if src == nil {
			if src, e.err = os.ReadFile(path); e.err != nil {
				return
			}
			if e.err = validate(src); e.err != nil {
				return
			}
		}
		e.hash = contentHash(src)
		e.mod, e.err = pyparse.Parse(p.Fset, path, src)
		if e.mod != nil && e.mod.File != nil {
			p.mu.Lock()
			p.byFile[e.mod.File] = e.mod
			p.mu.Unlock()
		}
	})
	return e.mod, e.err
}

// ProjectRoot is the folder the project's imports resolve from; paths
// above it say nothing about the files (a checkout under ~/tests/).
func (p *Project) ProjectRoot() string { return p.Root }

// Replace makes m (parsed from src) the module of path, in place of what
// was parsed or read before: an editor's unsaved text, which the files
// that import it then see too. Modules opened from it before keep working.
func (p *Project) Replace(path string, src []byte, m *pyparse.Module) {
	key, err := filepath.Abs(path)
	if err != nil {
		key = path
	}
	e := &moduleEntry{mod: m, hash: contentHash(src)}
	e.once.Do(func() {})
	p.mu.Lock()
	if old := p.modules[key]; old != nil && old.mod != nil && old.mod.File != nil && old.mod != m {
		delete(p.byFile, old.mod.File)
		p.Fset.RemoveFile(old.mod.File) // an editor replaces a file thousands of times
	}
	p.modules[key] = e
	if m != nil && m.File != nil {
		p.byFile[m.File] = m
	}
	p.mu.Unlock()
}

// Forget drops what the project knows of path (a file changed on disk or
// closed in the editor): it is read again when next needed.
func (p *Project) Forget(path string) {
	key, err := filepath.Abs(path)
	if err != nil {
		key = path
	}
	p.mu.Lock()
	if old := p.modules[key]; old != nil && old.mod != nil && old.mod.File != nil {
		delete(p.byFile, old.mod.File)
		p.Fset.RemoveFile(old.mod.File)
	}
	delete(p.modules, key)
	for k := range p.sparky {
		delete(p.sparky, k)
	}
	clear(p.resolved)
	clear(p.missing)
	p.mu.Unlock()
}

// ModuleAt returns the parsed module that holds pos.
func (p *Project) ModuleAt(pos token.Pos) *pyparse.Module {
	f := p.Fset.File(pos)
	if f == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.byFile[f]
}

// hashOf returns the content hash of a parsed file ("" when unknown).
func (p *Project) hashOf(path string) string {
	key, _ := filepath.Abs(path)
	p.mu.Lock()
	defer p.mu.Unlock()
	if e := p.modules[key]; e != nil {
		return e.hash
	}
	return ""
}

// ImportModule resolves an import to a project file: absolute imports
// against the project root and the importing file's ancestor folders
// (scripts that import their siblings, src layouts), relative imports
// against the importing file's package.
func (p *Project) ImportModule(from *pyparse.Module, module string, level int) *pyparse.Module {
	path, misses := p.resolveAll(from.Path, module, level)
	if path != "" {
		if m, err := p.Parse(path, nil); err == nil && m != nil && m.Scopes != nil {
			return m
		}
		// Unreadable or unparseable today; findings change when it is fixed.
		misses = append(slices.Clip(misses), path) // misses is shared with the memo
	}
	if len(misses) > 0 {
		p.mu.Lock()
		set := p.missing[from.Path]
		if set == nil {
			set = map[string]bool{}
			p.missing[from.Path] = set
		}
		for _, miss := range misses {
			if abs, err := filepath.Abs(miss); err == nil {
				set[abs] = true
			}
		}
		p.mu.Unlock()
	}
	return nil
}

// Missing returns the files that imports of module m looked for in the
// project and did not find (or could not read): m's findings depend on
// their absence, so a cached result must be dropped when one appears.
func (p *Project) Missing(m *pyparse.Module) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]string, 0, len(p.missing[m.Path]))
	for path := range p.missing[m.Path] {
		out = append(out, path)
	}
	return out
}

// resolve returns the file an import names, seen from the file fromPath,
// or "" when it is not a file of the project.
func (p *Project) resolve(fromPath, module string, level int) string {
	path, _ := p.resolveAll(fromPath, module, level)
	return path
}

// resolveAll is resolve that also returns the candidate files it looked
// for in vain inside project packages (relative imports, or absolute ones
// whose top-level package exists in the project): the places where a new
// file would change what the import means.
func (p *Project) resolveAll(fromPath, module string, level int) (string, []string) {
	key := resolveKey{filepath.Dir(fromPath), module, level}
	p.mu.Lock()
	r, ok := p.resolved[key]
	p.mu.Unlock()
	if !ok {
		r.path, r.misses = p.lookupImport(fromPath, module, level)
		p.mu.Lock()
		p.resolved[key] = r
		p.mu.Unlock()
	}
	return r.path, r.misses
}

type resolveKey struct {
	dir, module string
	level       int
}

type resolution struct {
	path   string
	misses []string
}

// lookupImport does resolveAll's work on the file system.
func (p *Project) lookupImport(fromPath, module string, level int) (string, []string) {
	var misses []string
	rel := filepath.FromSlash(strings.ReplaceAll(module, ".", "/"))
	dir := filepath.Dir(fromPath)
	var bases []string
	if level > 0 {
		for range level - 1 {
			dir = filepath.Dir(dir)
		}
		bases = []string{dir}
	} else {
		if module == "" {
			return "", nil
		}
		absDir, err := filepath.Abs(dir)
		if err != nil {
			absDir = dir
		}
		for d := absDir; ; d = filepath.Dir(d) {
			bases = append(bases, d)
			if d == p.Root || !strings.HasPrefix(d, p.Root) || filepath.Dir(d) == d {
				break
			}
		}
	}
	top := strings.SplitN(module, ".", 2)[0]
	for _, base := range bases {
		projectPackage := level > 0
		if !projectPackage {
			if st, err := os.Stat(filepath.Join(base, top)); err == nil && st.IsDir() {
				projectPackage = true
			} else if _, err := os.Stat(filepath.Join(base, top+".py")); err == nil {
				projectPackage = true
			}
		}
		for _, cand := range []string{filepath.Join(base, rel+".py"), filepath.Join(base, rel, "__init__.py")} {
			if rel == "" && !strings.HasSuffix(cand, "__init__.py") {
				continue
			}
			if st, err := os.Stat(cand); err == nil && st.Mode().IsRegular() && st.Size() <= maxFileSize {
				// Name it the way the user named the importing file, so
				// that findings in helpers read like the others.
				if !filepath.IsAbs(fromPath) && filepath.IsAbs(cand) && p.cwd != "" {
					if rel, err := filepath.Rel(p.cwd, cand); err == nil {
						return rel, misses
					}
				}
				return cand, misses
			}
			if projectPackage {
				misses = append(misses, cand)
			}
		}
	}
	return "", misses
}

// sparkTokens are the byte strings whose presence shows a file works with
// Spark (or is a notebook where Spark is predefined).
var sparkTokens = [][]byte{[]byte("pyspark"), []byte("awsglue"), []byte("SparkSession"), []byte("SparkContext"), []byte("Databricks notebook source")}

func mentionsSpark(src []byte) bool {
	for _, t := range sparkTokens {
		if bytes.Contains(src, t) {
			return true
		}
	}
	return false
}

// importsSparkModule reports whether src (the file path) imports a project
// module that mentions Spark: such a file can get Spark objects from its
// helpers (`from .session import get_spark`) without naming pyspark.
// Imports are read from the text, without parsing.
func (p *Project) importsSparkModule(path string, src []byte) bool {
	for line := range bytes.SplitSeq(src, []byte{'\n'}) {
		line = bytes.TrimSpace(line)
		var mods []string
		level := 0
		switch {
		case bytes.HasPrefix(line, []byte("from ")):
			f := strings.Fields(string(line[5:]))
			if len(f) < 2 || f[1] != "import" {
				continue
			}
			mod := f[0]
			for level < len(mod) && mod[level] == '.' {
				level++
			}
			mods = append(mods, mod[level:])
			// "from pkg import session" may name a submodule.
			rest := strings.TrimSpace(strings.SplitN(string(line), " import ", 2)[1])
			for item := range strings.SplitSeq(strings.Trim(rest, "()"), ",") {
				f := strings.Fields(item)
				if len(f) == 0 || f[0] == "*" {
					continue
				}
				name := f[0]
				if mod[level:] != "" {
					name = mod[level:] + "." + name
				}
				mods = append(mods, name)
			}
		case bytes.HasPrefix(line, []byte("import ")):
			for name := range strings.SplitSeq(string(line[7:]), ",") {
				if f := strings.Fields(name); len(f) > 0 {
					mods = append(mods, f[0])
				}
			}
		default:
			continue
		}
		for _, mod := range mods {
			if mod == "" && level == 0 {
				continue
			}
			target := p.resolve(path, mod, level)
			if target != "" && p.fileMentionsSpark(target) {
				return true
			}
		}
	}
	return false
}

func (p *Project) fileMentionsSpark(path string) bool {
	p.mu.Lock()
	v, ok := p.sparky[path]
	p.mu.Unlock()
	if ok {
		return v
	}
	// A module imported in a cycle counts as not mentioning Spark while
	// it is being looked at.
	p.mu.Lock()
	p.sparky[path] = false
	p.mu.Unlock()
	src, err := os.ReadFile(path)
	// A package that re-exports a Spark helper ("from .session import
	// get_spark" in __init__.py) passes it on.
	v = err == nil && (mentionsSpark(src) || p.importsSparkModule(path, src))
	p.mu.Lock()
	p.sparky[path] = v
	p.mu.Unlock()
	return v
}
