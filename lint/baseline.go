package lint

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
)

// A baseline records the findings of a code base at one moment
// (`sparklint check --write-baseline FILE`) so that later runs
// (`--baseline FILE`) report only new ones. Findings are recognised by a
// fingerprint that does not involve their row: the rule, the file, the
// text of the finding's line with white space normalised, and which
// occurrence of that (rule, file, text) it is in the file. Lines inserted
// or deleted above a finding do not change it; editing its line does.

// BaselineVersion is the version of the baseline format written.
const BaselineVersion = 1

// Baseline is the content of a baseline file.
type Baseline struct {
	Version  int             `json:"version"`
	Findings []BaselineEntry `json:"findings"`
}

// BaselineEntry is one recorded finding.
type BaselineEntry struct {
	Fingerprint string `json:"fingerprint"`
	Code        string `json:"code"`
	// Path is relative to the baseline file's folder, with forward
	// slashes, so that the baseline holds wherever the project is
	// checked out.
	Path    string `json:"path"`
	Message string `json:"message"`
	// Content is the fingerprint without the path: a finding of a file
	// that was renamed (whose recorded path no longer exists) is matched
	// by it.
	Content string `json:"content,omitempty"`
}

// ReadBaseline reads a baseline file.
func ReadBaseline(file string) (*Baseline, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("cannot read the baseline %s: %s", file, describeIOError(err))
	}
	var b Baseline
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&b); err != nil {
		return nil, fmt.Errorf("the baseline %s is not valid: %w", file, err)
	}
	if b.Version != BaselineVersion {
		return nil, fmt.Errorf("the baseline %s has version %d; this sparklint reads version %d (write it again with --write-baseline)", file, b.Version, BaselineVersion)
	}
	return &b, nil
}

// WriteBaseline records findings (paths absolute or relative to the
// working folder) in file, atomically, and returns how many it recorded.
func WriteBaseline(file string, findings []Finding) (int, error) {
	dir := baselineDir(file)
	prints := fingerprints(dir, findings)
	b := Baseline{Version: BaselineVersion, Findings: []BaselineEntry{}}
	for _, i := range findingOrder(findings) {
		f := &findings[i]
		p := prints[i]
		b.Findings = append(b.Findings, BaselineEntry{Fingerprint: p.full, Code: f.Code, Path: p.rel, Message: f.Message, Content: p.content})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(&b); err != nil {
		return 0, err
	}
	mode := fs.FileMode(0o644)
	if st, err := os.Stat(file); err == nil {
		if !st.Mode().IsRegular() {
			return 0, fmt.Errorf("cannot write the baseline %s: not a regular file", file)
		}
		mode = st.Mode().Perm()
	}
	target := file
	if resolved, err := filepath.EvalSymlinks(file); err == nil {
		target = resolved
	}
	if err := writeAtomic(target, buf.Bytes(), mode, true); err != nil {
		return 0, fmt.Errorf("cannot write the baseline %s: %s", file, describeIOError(err))
	}
	return len(b.Findings), nil
}

// baselineDir is the folder baseline paths are relative to: the baseline
// file's, symbolic links resolved.
func baselineDir(file string) string {
	dir := filepath.Dir(cleanAbs(file))
	if r, err := filepath.EvalSymlinks(dir); err == nil {
		dir = r
	}
	return dir
}

type fingerprint struct {
	full, content, rel string
}

// fingerprints computes the fingerprints of findings, with paths relative
// to dir.
func fingerprints(dir string, findings []Finding) []fingerprint {
	out := make([]fingerprint, len(findings))
	rels := map[string]string{}
	seen := map[string]int{}
	for _, i := range findingOrder(findings) {
		f := &findings[i]
		rel, ok := rels[f.Path]
		if !ok {
			rel = baselinePath(dir, f.Path)
			rels[f.Path] = rel
		}
		line := normalizeSpace(f.SourceLine)
		key := f.Code + "\x00" + rel + "\x00" + line
		n := seen[key]
		seen[key] = n + 1
		out[i] = fingerprint{
			full:    hashParts("sparklint-baseline-1", f.Code, rel, line, strconv.Itoa(n)),
			content: hashParts("sparklint-baseline-1", f.Code, line, strconv.Itoa(n)),
			rel:     rel,
		}
	}
	return out
}

func hashParts(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// baselinePath is path relative to dir, with forward slashes (absolute
// when it cannot be made relative).
func baselinePath(dir, path string) string {
	abs := cleanAbs(path)
	if d, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		abs = filepath.Join(d, filepath.Base(abs))
	}
	rel, err := filepath.Rel(dir, abs)
	if err != nil {
		rel = abs
	}
	return filepath.ToSlash(rel)
}

// match reports, for each finding, whether the baseline records it. A
// finding matches an entry with its fingerprint; failing that, an entry
// with its content fingerprint whose file no longer exists (the file was
// renamed or moved). Each entry matches one finding at most.
func (b *Baseline) match(dir string, findings []Finding) []bool {
	known := make([]bool, len(findings))
	if b == nil || len(b.Findings) == 0 {
		return known
	}
	prints := fingerprints(dir, findings)
	unused := map[string]*BaselineEntry{}
	for i := range b.Findings {
		unused[b.Findings[i].Fingerprint] = &b.Findings[i]
	}
	order := findingOrder(findings)
	var rest []int
	for _, i := range order {
		if e := unused[prints[i].full]; e != nil {
			known[i] = true
			delete(unused, prints[i].full)
		} else {
			rest = append(rest, i)
		}
	}
	if len(rest) == 0 || len(unused) == 0 {
		return known
	}
	gone := map[string][]*BaselineEntry{}
	exists := map[string]bool{}
	for i := range b.Findings {
		e := &b.Findings[i]
		if unused[e.Fingerprint] != e || e.Content == "" {
			continue
		}
		ex, ok := exists[e.Path]
		if !ok {
			p := filepath.FromSlash(e.Path)
			if !filepath.IsAbs(p) {
				p = filepath.Join(dir, p)
			}
			ex = statExists(p)
			exists[e.Path] = ex
		}
		if !ex {
			gone[e.Content] = append(gone[e.Content], e)
		}
	}
	for _, i := range rest {
		if es := gone[prints[i].content]; len(es) > 0 {
			known[i] = true
			gone[prints[i].content] = es[1:]
		}
	}
	return known
}
