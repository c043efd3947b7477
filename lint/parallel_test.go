package lint

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/sparklint/sparklint/checks"
)

// TestParallelLanesFindWhatOneLaneFinds checks every fixture with the
// analyzers in one lane and in two (the language server's mode, forced
// here for small files): the findings, their order, fixes and related
// locations must be the same.
func TestParallelLanesFindWhatOneLaneFinds(t *testing.T) {
	defer func(n int) { parallelNodes = n }(parallelNodes)
	parallelNodes = 0
	root, err := filepath.Abs("../fixtures")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasSuffix(path, ".py") || strings.HasSuffix(path, ".ipynb")) {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var results [2]FileResult
		for i, parallel := range []bool{false, true} {
			c, err := NewChecker(NewProject(filepath.Dir(path)), checks.All())
			if err != nil {
				t.Fatal(err)
			}
			c.Parallel = parallel
			results[i] = c.CheckFile(path, src)
		}
		if !reflect.DeepEqual(results[0].Findings, results[1].Findings) || len(results[0].Errors) != len(results[1].Errors) {
			t.Errorf("%s: one lane found %+v, two lanes %+v", path, results[0].Findings, results[1].Findings)
		}
		if len(results[0].Findings) > 0 {
			checked++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 30 {
		t.Fatalf("only %d fixtures with findings", checked)
	}
}
