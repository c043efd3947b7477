package lint

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sparklint/sparklint/checks"
)

// The result cache stores, for each checked file, what checking it
// produced, keyed by the file's content hash. Entries live in
// CacheDir/<config key>/<hash of the file's path>.json: the config key
// covers everything besides the file's content that decides the result
// (sparklint version, the selected rules, the Go toolchain and platform,
// the binary itself, the project root), so a change of any of them starts
// a fresh folder instead of serving stale results. An entry is used only
// when the file's content hash and the hash of every dependency it
// recorded (modules whose functions were followed) still match.
//
// One small file per source file keeps writes independent: concurrent
// runs and workers each write their own temporary file and rename it into
// place, so a reader sees either the old entry or the new one, never a mix.
// An unreadable or corrupt entry is a miss.

// cacheFormat is part of the cache key: bump it whenever cacheEntry or
// cachedFinding changes, so that entries of the old shape are not read.
const cacheFormat = "3"

type resultCache struct {
	dir string // the config folder; "" when caching is off
	// rules are the rules of the run by code, to give cached findings
	// back their names and URLs.
	rules map[string]*checks.Rule
	// hashes memoises the content hash of dependency files for one round
	// of checking, so a module many files import is hashed once.
	hashes sync.Map
}

// cacheEntry is the stored form of a FileResult. It is compact rather
// than Finding's JSON: warm runs decode every entry, so decoding speed is
// the cache's speed. Rule names and URLs are not stored (the code gives
// them back), nor a finding's path when it is the entry's own; offsets and
// the source line, which Ruff's format has no room for, are.
type cacheEntry struct {
	Path     string            `json:"p"`
	Hash     string            `json:"h"`
	Lines    int               `json:"n"`
	Parsed   bool              `json:"x,omitempty"`
	Deps     map[string]string `json:"d,omitempty"`
	Findings []cachedFinding   `json:"f,omitempty"`
	Errors   []FileError       `json:"e,omitempty"`
}

type cachedFinding struct {
	Cell    int       `json:"k,omitempty"` // notebook cell, 0 outside notebooks
	Code    string    `json:"c"`
	Message string    `json:"m"`
	Path    string    `json:"p,omitempty"`
	Span    [7]int    `json:"s"` // row, column, end row, end column, offset, end offset, noqa row
	Src     string    `json:"l,omitempty"`
	Fix     *Fix      `json:"x,omitempty"`
	Spans   [][2]int  `json:"o,omitempty"` // byte offsets of Fix.Edits
	Related []Related `json:"r,omitempty"`
}

// cacheKey identifies everything besides file content that a result
// depends on.
func cacheKey(version, root string, rules []string) string {
	parts := []string{
		"format " + cacheFormat,
		"version " + version,
		"go " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH,
		"root " + root,
		"rules " + strings.Join(sortedCopy(rules), ","),
	}
	// A development build keeps its version string while its rules
	// change; the executable's size and time tell builds apart cheaply.
	if exe, err := os.Executable(); err == nil {
		if st, err := os.Stat(exe); err == nil {
			parts = append(parts, "exe "+st.ModTime().UTC().String()+" "+strconv.FormatInt(st.Size(), 10))
		}
	}
	h := sha256.Sum256([]byte(strings.Join(parts, "\n")))
	return hex.EncodeToString(h[:8])
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

// openCache prepares the cache folder; on failure caching is off for the
// run and the returned warning says why.
func openCache(base, key string, rules []*checks.Rule) (*resultCache, string) {
	dir := filepath.Join(base, key)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return &resultCache{}, "cache disabled: " + err.Error()
	}
	byCode := make(map[string]*checks.Rule, len(rules))
	for _, r := range rules {
		byCode[r.Code] = r
	}
	// Mark the folder as a cache for backup tools and keep it out of git,
	// as Ruff does for .ruff_cache.
	writeIfMissing(filepath.Join(base, ".gitignore"), "# Automatically created by sparklint.\n*\n")
	writeIfMissing(filepath.Join(base, "CACHEDIR.TAG"), "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by sparklint.\n")
	pruneStale(base, key)
	return &resultCache{dir: dir, rules: byCode}, ""
}

// staleAfter is how long a config folder nobody writes to is kept. Every
// new build of a development version starts a folder; without pruning
// they would pile up. A folder in use gets entries renamed into it, which
// keeps its modification time fresh.
const staleAfter = 30 * 24 * time.Hour

// pruneStale removes the config folders under base, other than keep, not
// written for staleAfter. Errors are ignored: a folder another run is
// still using only costs that run its cache writes.
func pruneStale(base, keep string) {
	entries, err := os.ReadDir(base)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() || name == keep || len(name) != len(keep) || strings.Trim(name, "0123456789abcdef") != "" {
			continue
		}
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > staleAfter {
			_ = os.RemoveAll(filepath.Join(base, name))
		}
	}
}

func writeIfMissing(path, content string) {
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		_ = writeAtomic(path, []byte(content), 0o644, false)
	}
}

func (c *resultCache) enabled() bool { return c != nil && c.dir != "" }

func (c *resultCache) entryPath(abs string) string {
	h := sha256.Sum256([]byte(abs))
	return filepath.Join(c.dir, hex.EncodeToString(h[:16])+".json")
}

// lookup returns the stored result of abs when its content hash is hash
// and none of its dependencies changed.
func (c *resultCache) lookup(abs, hash string) (FileResult, bool) {
	if !c.enabled() {
		return FileResult{}, false
	}
	data, err := os.ReadFile(c.entryPath(abs))
	if err != nil {
		return FileResult{}, false
	}
	var e cacheEntry
	if err := json.Unmarshal(data, &e); err != nil || e.Path != abs || e.Hash != hash {
		return FileResult{}, false
	}
	for dep, h := range e.Deps {
		if c.hashOf(dep) != h {
			return FileResult{}, false
		}
	}
	res := FileResult{Lines: e.Lines, Parsed: e.Parsed, Deps: e.Deps, Errors: e.Errors}
	if len(e.Findings) > 0 {
		res.Findings = make([]Finding, len(e.Findings))
	}
	for i := range e.Findings {
		cf := &e.Findings[i]
		r := c.rules[cf.Code]
		if r == nil {
			return FileResult{}, false
		}
		path := cf.Path
		if path == "" {
			path = abs
		}
		sp := cf.Span
		f := Finding{Cell: cf.Cell, Code: cf.Code, Name: r.Name, Message: cf.Message, Path: path, URL: r.URL(),
			Location: Position{sp[0], sp[1]}, End: Position{sp[2], sp[3]}, Offset: sp[4], EndOffset: sp[5], NoqaRow: sp[6],
			SourceLine: cf.Src, Fix: cf.Fix, Related: cf.Related}
		if f.Fix != nil {
			if len(cf.Spans) != len(f.Fix.Edits) {
				return FileResult{}, false
			}
			for j := range f.Fix.Edits {
				f.Fix.Edits[j].Offset, f.Fix.Edits[j].EndOffset = cf.Spans[j][0], cf.Spans[j][1]
			}
		}
		res.Findings[i] = f
	}
	return res, true
}

// store records the result of abs, whose content hash is hash. Results
// with internal errors are not stored: the next run should try again.
func (c *resultCache) store(abs, hash string, res FileResult) {
	if !c.enabled() {
		return
	}
	for _, e := range res.Errors {
		if e.Internal {
			return
		}
	}
	e := cacheEntry{Path: abs, Hash: hash, Lines: res.Lines, Parsed: res.Parsed, Deps: res.Deps, Errors: res.Errors}
	for _, f := range res.Findings {
		cf := cachedFinding{Cell: f.Cell, Code: f.Code, Message: f.Message, Src: f.SourceLine, Fix: f.Fix, Related: f.Related,
			Span: [7]int{f.Location.Row, f.Location.Column, f.End.Row, f.End.Column, f.Offset, f.EndOffset, f.NoqaRow}}
		if f.Path != abs {
			cf.Path = f.Path
		}
		if f.Fix != nil {
			for _, ed := range f.Fix.Edits {
				cf.Spans = append(cf.Spans, [2]int{ed.Offset, ed.EndOffset})
			}
		}
		e.Findings = append(e.Findings, cf)
	}
	data, err := json.Marshal(&e)
	if err != nil {
		return
	}
	// A failed write only costs the next run a re-check.
	_ = writeAtomic(c.entryPath(abs), data, 0o644, false)
}

// hashOf returns the current content hash of a dependency, "" when it
// cannot be read or is not checkable (as Project records it).
func (c *resultCache) hashOf(path string) string {
	if v, ok := c.hashes.Load(path); ok {
		return v.(string)
	}
	h := ""
	if src, err := readSource(path); err == nil && validate(src) == nil {
		h = contentHash(src)
	}
	c.hashes.Store(path, h)
	return h
}

// noteHash records the hash of a file the engine has just read.
func (c *resultCache) noteHash(path, hash string) {
	if c != nil {
		c.hashes.Store(path, hash)
	}
}

// forget drops memoised hashes (files were rewritten by --fix).
func (c *resultCache) forget() {
	if c != nil {
		c.hashes.Clear()
	}
}

// writeAtomic writes data to path through a temporary file in the same
// folder and a rename, so readers never see a partial file. durable syncs
// the data before the rename, so that a crash cannot leave an empty file
// in place of a user's source (cache entries do without: a lost one is a
// miss).
func writeAtomic(path string, data []byte, mode fs.FileMode, durable bool) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			_ = os.Remove(name)
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		_ = tmp.Close()
		return err
	}
	if durable {
		if err := tmp.Sync(); err != nil {
			_ = tmp.Close()
			return err
		}
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(name, path); err != nil {
		return err
	}
	ok = true
	return nil
}
