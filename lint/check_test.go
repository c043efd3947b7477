package lint

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sparklint/sparklint/checks"
	"github.com/sparklint/sparklint/pyparse"
	"golang.org/x/tools/go/analysis"
)

func TestPanickingRuleIsAnInternalErrorForThatFileOnly(t *testing.T) {
	boom := &checks.Rule{Code: "SPK999", Name: "boom", Triggers: []string{"pyspark"}, Analyzer: &analysis.Analyzer{
		Name: "SPK999", Doc: "panics", Requires: []*analysis.Analyzer{pyparse.Analyzer},
		Run: func(pass *analysis.Pass) (any, error) {
			if strings.Contains(pass.ResultOf[pyparse.Analyzer].(*pyparse.Unit).Module.Path, "bad") {
				panic("rule bug")
			}
			return nil, nil
		},
	}}
	rules := []*checks.Rule{boom, checks.ByCode("SPK201")}
	c, err := NewChecker(NewProject(t.TempDir()), rules)
	if err != nil {
		t.Fatal(err)
	}
	src := []byte("from pyspark import SparkContext\nsc = SparkContext()\nsc.textFile('x').map(lambda l: (l, 1)).groupByKey()\n")
	bad := c.CheckFile("bad.py", src)
	if len(bad.Errors) != 1 || !bad.Errors[0].Internal || !strings.Contains(bad.Errors[0].Message, "SPK999") || !strings.Contains(bad.Errors[0].Message, "rule bug") {
		t.Fatalf("errors = %+v, want one internal error naming the rule", bad.Errors)
	}
	if len(bad.Findings) != 1 || bad.Findings[0].Code != "SPK201" {
		t.Errorf("the other rules must still report: %+v", bad.Findings)
	}
	good := c.CheckFile("good.py", src)
	if len(good.Errors) != 0 || len(good.Findings) != 1 {
		t.Errorf("another file is unaffected: %+v", good)
	}
}

func TestBadInputGetsAClearMessage(t *testing.T) {
	c, err := NewChecker(NewProject(t.TempDir()), checks.All())
	if err != nil {
		t.Fatal(err)
	}
	deep := "import pyspark\nx = " + strings.Repeat("(", 10000) + "1" + strings.Repeat(")", 10000) + "\n"
	cases := map[string]struct {
		src  []byte
		want string
	}{
		"binary":  {[]byte("import pyspark\x00\x01"), "binary"},
		"utf8":    {[]byte("import pyspark\nx = '\xff'\n"), "invalid UTF-8 at line 2"},
		"huge":    {append([]byte("import pyspark\n"), make([]byte, 11<<20)...), "10 MB"},
		"deep":    {[]byte(deep), "nested"},
		"deepish": {[]byte("import pyspark\nx = " + strings.Repeat("[", 900) + strings.Repeat("]", 900) + "\n"), ""},
	}
	for name, tc := range cases {
		res := c.CheckFile(name+".py", tc.src)
		if tc.want == "" {
			if len(res.Errors) != 0 {
				t.Errorf("%s: unexpected errors %+v", name, res.Errors)
			}
			continue
		}
		if len(res.Errors) != 1 || res.Errors[0].Internal || !strings.Contains(res.Errors[0].Message, tc.want) {
			t.Errorf("%s: errors = %+v, want one non-internal error containing %q", name, res.Errors, tc.want)
		}
	}
	if res := c.CheckFile("empty.py", nil); len(res.Errors) != 0 || len(res.Findings) != 0 {
		t.Errorf("empty file: %+v", res)
	}
}

func TestSyntaxErrorIsReportedOnceAndTheRestChecked(t *testing.T) {
	c, err := NewChecker(NewProject(t.TempDir()), checks.All())
	if err != nil {
		t.Fatal(err)
	}
	src := []byte("from pyspark import SparkContext\ndef broken(:\n    pass\nsc = SparkContext()\nsc.textFile('x').map(lambda l: (l, 1)).groupByKey()\n")
	res := c.CheckFile("broken.py", src)
	codes := map[string]int{}
	for _, f := range res.Findings {
		codes[f.Code]++
	}
	if codes["SPK001"] != 1 || codes["SPK201"] != 1 {
		t.Errorf("findings = %v, want one SPK001 and one SPK201", codes)
	}
}

func TestHelperImportedBySparkFileIsFollowedAndPrefilterSkipsPlainPython(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("jobs/__init__.py", "")
	helper := write("jobs/session.py", "from pyspark.sql import SparkSession\n\ndef get_spark():\n    return SparkSession.builder.getOrCreate()\n")
	job := write("jobs/run.py", "from jobs.session import get_spark\n\nrows = get_spark().read.parquet('x').collect()\n")
	plain := write("jobs/util.py", "import collections\nc = collections.Counter()\nc.most_common()\n")
	c, err := NewChecker(NewProject(dir), checks.All())
	if err != nil {
		t.Fatal(err)
	}
	src, _ := os.ReadFile(job)
	res := c.CheckFile(job, src)
	if len(res.Findings) != 1 || res.Findings[0].Code != "SPK301" {
		t.Fatalf("findings = %+v, want SPK301 through the helper's SparkSession", res.Findings)
	}
	if res.Deps[helper] == "" {
		t.Errorf("deps = %v, want the helper recorded", res.Deps)
	}
	psrc, _ := os.ReadFile(plain)
	if r := c.CheckFile(plain, psrc); r.Parsed {
		t.Error("a file that neither names pyspark nor imports a Spark module must not be parsed")
	}
}

func TestMissingHelperIsADependency(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "pkg"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "pkg", "__init__.py"), nil, 0o644)
	job := filepath.Join(dir, "pkg", "job.py")
	src := []byte("from pyspark import SparkContext\nfrom pkg.helpers import clean\nsc = SparkContext()\nsc.parallelize([1]).map(clean).count()\n")
	c, err := NewChecker(NewProject(dir), checks.All())
	if err != nil {
		t.Fatal(err)
	}
	res := c.CheckFile(job, src)
	want := filepath.Join(dir, "pkg", "helpers.py")
	if h, ok := res.Deps[want]; !ok || h != "" {
		t.Fatalf("deps = %v, want %s recorded as absent", res.Deps, want)
	}
}

func TestDuplicateDefectsAreMerged(t *testing.T) {
	a := Finding{Path: "h.py", Code: "SPK101", Location: Position{3, 5}, End: Position{3, 9}, Message: "shipped by RDD.filter",
		Related: []Related{{Path: "b.py", Message: "shipped to executors here"}}}
	b := a
	b.Message = "shipped by RDD.map"
	b.Related = []Related{{Path: "a.py", Message: "shipped to executors here"}}
	fs := []Finding{b, a}
	sortFindings(fs)
	out := dedupe(fs)
	if len(out) != 1 || len(out[0].Related) != 2 {
		t.Fatalf("dedupe = %+v, want one finding with both related locations", out)
	}
}

func TestPrefilterFollowsPackagesAndReexports(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"pkg/__init__.py": "from .session import get_spark\n",
		"pkg/session.py":  "from pyspark.sql import SparkSession\n\ndef get_spark():\n    return SparkSession.builder.getOrCreate()\n",
		"job.py":          "from pkg import session\nrows = session.get_spark().read.parquet('x').collect()\n",
		"job4.py":         "from pkg import get_spark\nrows = get_spark().read.parquet('x').collect()\n",
	}
	for name, src := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c, err := NewChecker(NewProject(dir), checks.All())
	if err != nil {
		t.Fatal(err)
	}
	for _, job := range []string{"job.py", "job4.py"} {
		p := filepath.Join(dir, job)
		res := c.CheckFile(p, []byte(files[job]))
		if len(res.Findings) != 1 || res.Findings[0].Code != "SPK301" {
			t.Errorf("%s: findings = %+v, want the SPK301 through the package", job, res.Findings)
		}
	}
}

func TestNonSparkFileInAnotherEncodingIsSkippedSilently(t *testing.T) {
	c, err := NewChecker(NewProject(t.TempDir()), checks.All())
	if err != nil {
		t.Fatal(err)
	}
	res := c.CheckFile("latin1.py", []byte("# -*- coding: latin-1 -*-\nname = 'caf\xe9'\nitems.collect()\n"))
	if len(res.Errors) != 0 || res.Parsed {
		t.Errorf("a file with nothing Spark in it is skipped without a message: %+v", res)
	}
}

func TestNoqaAtTheEndOfAMultiLineString(t *testing.T) {
	c, err := NewChecker(NewProject(t.TempDir()), checks.All())
	if err != nil {
		t.Fatal(err)
	}
	src := "from pyspark.sql import SparkSession\nspark = SparkSession.builder.getOrCreate()\nrows = spark.sql(\"\"\"\n  select * from t\n\"\"\").collect()\n"
	res := c.CheckFile("q.py", []byte(src))
	if len(res.Findings) != 1 || res.Findings[0].NoqaRow != 5 {
		t.Fatalf("findings = %+v, want one SPK301 whose noqa row is 5", res.Findings)
	}
	res = c.CheckFile("q2.py", []byte(strings.Replace(src, "\"\"\").collect()", "\"\"\").collect()  # noqa: SPK301", 1)))
	if len(res.Findings) != 0 {
		t.Errorf("a noqa on the closing line must suppress: %+v", res.Findings)
	}
}

func TestCheckModuleUsesTheEditorText(t *testing.T) {
	c, err := NewChecker(NewProject(t.TempDir()), checks.All())
	if err != nil {
		t.Fatal(err)
	}
	src := []byte("from pyspark import SparkContext\nsc = SparkContext()\nsc.textFile('x').map(lambda l: (l, 1)).groupByKey()\n")
	m, tree, err := pyparse.ParseIncremental(c.Project.Fset, "open.py", src, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	res := c.CheckModule("open.py", src, m)
	if len(res.Findings) != 1 || res.Findings[0].Code != "SPK201" {
		t.Fatalf("findings = %+v", res.Findings)
	}
	// A later version replaces it.
	src2 := []byte("import pyspark\n")
	m2, tree2, err := pyparse.ParseIncremental(c.Project.Fset, "open.py", src2, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tree2.Close()
	if res := c.CheckModule("open.py", src2, m2); len(res.Findings) != 0 {
		t.Errorf("findings after the edit = %+v", res.Findings)
	}
}
