package lint

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"

	"github.com/sparklint/sparklint/checks"
	"github.com/sparklint/sparklint/checks/executor"
	"github.com/sparklint/sparklint/checks/sparktype"
	"github.com/sparklint/sparklint/pyparse"
)

// review2PanicRule is a rule whose analyzer panics after its prerequisites ran.
func review2PanicRule(code string, requires ...*analysis.Analyzer) *checks.Rule {
	a := &analysis.Analyzer{Name: code, Doc: "panics", Requires: requires,
		Run: func(*analysis.Pass) (any, error) { panic("boom " + code) }}
	return &checks.Rule{Code: code, Name: "panics", Triggers: []string{"pyspark"}, Analyzer: a}
}

// TestLanePanicsKeepTheOtherLane: a rule panicking in the executor
// lane and one in the other lane are reported as internal errors, once
// each, and every finding of the other rules (in this file and, through
// functions followed into other modules, in a helper module) is the one
// a single lane finds.
func TestLanePanicsKeepTheOtherLane(t *testing.T) {
	defer func(n int) { parallelNodes = n }(parallelNodes)
	parallelNodes = 0
	root, err := filepath.Abs("../fixtures/SPK101/project")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(root, "jobs", "main.py")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rules := append(checks.All(),
		review2PanicRule("SPK9H1", pyparse.Analyzer, sparktype.Analyzer, executor.Analyzer),
		review2PanicRule("SPK9L1", pyparse.Analyzer, sparktype.Analyzer))
	var results [2]FileResult
	for i, parallel := range []bool{false, true} {
		c, err := NewChecker(NewProject(root), rules)
		if err != nil {
			t.Fatal(err)
		}
		if parallel && c.lanes[1] == nil {
			t.Fatal("no second lane")
		}
		c.Parallel = parallel
		results[i] = c.CheckFile(path, src)
	}
	one, two := results[0], results[1]
	if len(one.Findings) == 0 || !reflect.DeepEqual(one.Findings, two.Findings) {
		t.Errorf("one lane found %+v, two lanes %+v", one.Findings, two.Findings)
	}
	inHelper := false
	for _, f := range two.Findings {
		if strings.HasSuffix(f.Path, "helpers.py") {
			inHelper = true
		}
	}
	if !inHelper {
		t.Errorf("no finding in the helper module: %+v", two.Findings)
	}
	if !reflect.DeepEqual(one.Deps, two.Deps) || len(two.Deps) == 0 {
		t.Errorf("deps: one lane %v, two lanes %v", one.Deps, two.Deps)
	}
	count := func(errs []FileError, code string) int {
		n := 0
		for _, e := range errs {
			if e.Internal && strings.Contains(e.Message, "boom "+code) {
				n++
			}
		}
		return n
	}
	for _, code := range []string{"SPK9H1", "SPK9L1"} {
		if count(one.Errors, code) != 1 || count(two.Errors, code) != 1 {
			t.Errorf("%s: %d internal errors with one lane, %d with two; want 1", code, count(one.Errors, code), count(two.Errors, code))
		}
	}
}

// TestSharedPrerequisitePanicsOnce: an analyzer both lanes need
// (as the type inference) that panics is one internal error, as with one
// lane.
func TestSharedPrerequisitePanicsOnce(t *testing.T) {
	defer func(n int) { parallelNodes = n }(parallelNodes)
	parallelNodes = 0
	shared := &analysis.Analyzer{Name: "sharedprereq", Doc: "panics",
		Run: func(*analysis.Pass) (any, error) { panic("boom shared") }}
	ok := func(code string, requires ...*analysis.Analyzer) *checks.Rule {
		a := &analysis.Analyzer{Name: code, Doc: "ok", Requires: requires, Run: func(*analysis.Pass) (any, error) { return nil, nil }}
		return &checks.Rule{Code: code, Name: "ok", Triggers: []string{"pyspark"}, Analyzer: a}
	}
	rules := append(checks.All(), ok("SPK9H2", executor.Analyzer, shared), ok("SPK9L2", shared))
	src := []byte("import pyspark\nx = 1\n")
	for _, parallel := range []bool{false, true} {
		c, err := NewChecker(NewProject(t.TempDir()), rules)
		if err != nil {
			t.Fatal(err)
		}
		c.Parallel = parallel
		res := c.CheckFile(filepath.Join(t.TempDir(), "a.py"), src)
		n := 0
		for _, e := range res.Errors {
			if strings.Contains(e.Message, "boom shared") {
				n++
			}
		}
		if n != 1 {
			t.Errorf("parallel=%v: %d internal errors for one panic", parallel, n)
		}
	}
}
