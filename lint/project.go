package lint

import (
	"go/token"
	"os"
	"path/filepath"
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

	mu      sync.Mutex
	modules map[string]*moduleEntry
	byFile  map[*token.File]*pyparse.Module
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
	return &Project{Root: abs, Fset: token.NewFileSet(), modules: map[string]*moduleEntry{}, byFile: map[*token.File]*pyparse.Module{}}
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
	rel := filepath.FromSlash(strings.ReplaceAll(module, ".", "/"))
	dir := filepath.Dir(from.Path)
	var bases []string
	if level > 0 {
		for range level - 1 {
			dir = filepath.Dir(dir)
		}
		bases = []string{dir}
	} else {
		if module == "" {
			return nil
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
	for _, base := range bases {
		for _, cand := range []string{filepath.Join(base, rel+".py"), filepath.Join(base, rel, "__init__.py")} {
			if rel == "" && !strings.HasSuffix(cand, "__init__.py") {
				continue
			}
			if st, err := os.Stat(cand); err == nil && st.Mode().IsRegular() && st.Size() <= maxFileSize {
				if m, err := p.Parse(cand, nil); err == nil && m != nil && m.Scopes != nil {
					return m
				}
				return nil
			}
		}
	}
	return nil
}
