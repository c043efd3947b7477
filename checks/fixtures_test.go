package checks_test

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/sparklint/sparklint/checks"
	"github.com/sparklint/sparklint/lint"
)

// The fixtures under ../fixtures/SPKnnn follow Go's analysistest: a line
// with `# want "regexp"` must get a finding of that rule whose message
// matches, and every other line must get none. X.py.golden holds X.py after
// all the rule's fixes are applied.

var wantRE = regexp.MustCompile(`#\s*want\s+((?:"(?:[^"\\]|\\.)*"\s*)+)`)
var wantArgRE = regexp.MustCompile(`"((?:[^"\\]|\\.)*)"`)

func TestFixtures(t *testing.T) {
	root := os.Getenv("SPARKLINT_FIXTURES") // to run a scratch fixture tree
	if root == "" {
		root = "../fixtures"
	}
	dirs, err := filepath.Glob(filepath.Join(root, "SPK*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Fatal("no fixtures found")
	}
	for _, dir := range dirs {
		code := filepath.Base(dir)
		rule := checks.ByCode(code)
		if rule == nil {
			t.Errorf("fixtures for unknown rule %s", code)
			continue
		}
		t.Run(code, func(t *testing.T) { runFixtureDir(t, dir, rule) })
	}
}

type lineKey struct {
	path string
	row  int
}

func runFixtureDir(t *testing.T, dir string, rule *checks.Rule) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".py") {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	wants := map[lineKey][]*regexp.Regexp{}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(src), "\n") {
			mm := wantRE.FindStringSubmatch(line)
			if mm == nil {
				continue
			}
			for _, arg := range wantArgRE.FindAllStringSubmatch(mm[1], -1) {
				pat, err := strconv.Unquote(`"` + arg[1] + `"`)
				if err != nil {
					t.Fatalf("%s:%d: bad want %s", f, i+1, arg[0])
				}
				wants[lineKey{f, i + 1}] = append(wants[lineKey{f, i + 1}], regexp.MustCompile(pat))
			}
		}
	}
	// Each top folder of a fixture dir is its own project (helpers import
	// each other by package name from there).
	got := map[lineKey][]lint.Finding{}
	seen := map[string]bool{}
	for _, f := range files {
		root := dir
		if rel, _ := filepath.Rel(dir, f); strings.Contains(rel, string(filepath.Separator)) {
			root = filepath.Join(dir, strings.Split(rel, string(filepath.Separator))[0])
		}
		p := lint.NewProject(root)
		rules := []*checks.Rule{rule}
		if rule == checks.UnusedNoqa {
			// Unused suppressions are judged against every rule.
			rules = checks.All()
		}
		c, err := lint.NewChecker(p, rules)
		if err != nil {
			t.Fatal(err)
		}
		src, _ := os.ReadFile(f)
		res := c.CheckFile(f, src)
		for _, e := range res.Errors {
			t.Errorf("%s: %s", e.Path, e.Message)
		}
		for _, fd := range res.Findings {
			if fd.Code != rule.Code {
				continue
			}
			key := fd.Path + ":" + strconv.Itoa(fd.Location.Row) + ":" + strconv.Itoa(fd.Location.Column) + fd.Message
			if seen[key] {
				continue
			}
			seen[key] = true
			k := lineKey{filepath.Clean(fd.Path), fd.Location.Row}
			got[k] = append(got[k], fd)
		}
		golden := f + ".golden"
		if want, err := os.ReadFile(golden); err == nil {
			var own []lint.Finding
			for _, fd := range res.Findings {
				if fd.Code == rule.Code {
					own = append(own, fd)
				}
			}
			fixed := applyFixes(src, own, f)
			if !bytes.Equal(fixed, want) {
				t.Errorf("%s: fixed output differs from %s:\n--- got\n%s\n--- want\n%s", f, golden, fixed, want)
			}
		}
	}
	for k, pats := range wants {
		fs := got[k]
		for _, pat := range pats {
			idx := -1
			for i, fd := range fs {
				if pat.MatchString(fd.Message) {
					idx = i
					break
				}
			}
			if idx < 0 {
				t.Errorf("%s:%d: no %s finding matching %q (got %d there: %v)", k.path, k.row, rule.Code, pat, len(fs), messages(fs))
				continue
			}
			fs = append(fs[:idx:idx], fs[idx+1:]...)
		}
		got[k] = fs
	}
	for k, fs := range got {
		for _, fd := range fs {
			t.Errorf("%s:%d:%d: unexpected %s: %s", k.path, k.row, fd.Location.Column, fd.Code, fd.Message)
		}
	}
}

func messages(fs []lint.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Message)
	}
	return out
}

// applyFixes applies every fix (safe and unsafe) of the findings in path,
// non-overlapping, in order.
func applyFixes(src []byte, fs []lint.Finding, path string) []byte {
	type edit struct {
		start, end int
		text       string
	}
	var edits []edit
	for _, f := range fs {
		if f.Fix == nil || f.Path != path {
			continue
		}
		for _, e := range f.Fix.Edits {
			edits = append(edits, edit{e.Offset, e.EndOffset, e.Content})
		}
	}
	sort.SliceStable(edits, func(i, j int) bool { return edits[i].start < edits[j].start })
	var out bytes.Buffer
	last := 0
	var prev *edit
	for i := range edits {
		e := &edits[i]
		if prev != nil && *prev == *e {
			continue // the same edit from two fixes (an import both add)
		}
		if e.start < last {
			continue
		}
		out.Write(src[last:e.start])
		out.WriteString(e.text)
		last = e.end
		prev = e
	}
	out.Write(src[last:])
	return out.Bytes()
}
