package checks_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sparklint/sparklint/checks"
	"github.com/sparklint/sparklint/lint"
)

// BenchmarkAllRules runs every rule over the fixtures (real-looking PySpark
// with many findings), one CheckFile per file per iteration.
func BenchmarkAllRules(b *testing.B) {
	var files []string
	var srcs [][]byte
	lines := 0
	_ = filepath.WalkDir("../fixtures", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".py") && strings.Contains(p, "SPK") {
			src, _ := os.ReadFile(p)
			files = append(files, p)
			srcs = append(srcs, src)
			lines += strings.Count(string(src), "\n")
		}
		return nil
	})
	b.ReportAllocs()
	for b.Loop() {
		c, err := lint.NewChecker(lint.NewProject("../fixtures"), checks.All())
		if err != nil {
			b.Fatal(err)
		}
		for i, f := range files {
			c.CheckFile(f, srcs[i])
		}
	}
	b.ReportMetric(float64(lines*b.N)/b.Elapsed().Seconds(), "lines/s")
}
