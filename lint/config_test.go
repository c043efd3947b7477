package lint

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/sparklint/sparklint/checks"
	"github.com/sparklint/sparklint/checks/settings"
)

// badAndSyntax has an SPK900 finding on line 2 and an SPK001 one on line 3.
const badAndSyntax = sparkHeader + "x = bad_call()\ndef f(:\n    pass\n"

// configRun runs the test rules on root (which holds the configuration
// files the test wrote) without a cache and returns "file:row:col CODE".
func configRun(t *testing.T, root string, opts Options) []string {
	t.Helper()
	if opts.Paths == nil {
		opts.Paths = []string{root}
	}
	if opts.CacheDir == "" {
		opts.NoCache = true
	}
	return codes(t, root, run(t, opts).Findings)
}

func configErr(t *testing.T, opts Options) error {
	t.Helper()
	if opts.Rules == nil {
		opts.Rules = testRules
	}
	opts.NoCache = true
	_, err := Run(opts)
	if err == nil {
		t.Fatal("no error")
	}
	return err
}

func TestConfigNearestWins(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"pyproject.toml": "[project]\nname = \"x\"\n\n[tool.sparklint]\nselect = [\"SPK900\"]\n",
		"main.py":        badAndSyntax,
		// A subproject selecting only syntax errors.
		"sub/sparklint.toml": "select = [\"SPK001\"]\n",
		"sub/job.py":         badAndSyntax,
		// A pyproject.toml without [tool.sparklint] is not a configuration:
		// the nearest one above decides.
		"sub/deep/pyproject.toml": "[tool.black]\nline-length = 100\n",
		"sub/deep/job.py":         badAndSyntax,
		// sparklint.toml beats pyproject.toml in the same folder.
		"other/pyproject.toml": "[tool.sparklint]\nselect = [\"SPK001\"]\n",
		"other/sparklint.toml": "select = [\"SPK900\"]\nignore = [\"SPK001\"]\n",
		"other/job.py":         badAndSyntax,
	})
	got := configRun(t, root, Options{})
	want := []string{"main.py:2:5 SPK900", "other/job.py:2:5 SPK900", "sub/deep/job.py:3:7 SPK001", "sub/job.py:3:7 SPK001"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
	// A file named on its own follows its own configuration too.
	got = configRun(t, root, Options{Paths: []string{filepath.Join(root, "sub", "job.py")}})
	if !slices.Equal(got, []string{"sub/job.py:3:7 SPK001"}) {
		t.Errorf("sub/job.py alone: %v", got)
	}
}

func TestConfigExtend(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"shared/base.toml": "select = [\"SPK900\"]\nextend-exclude = [\"gen\"]\nper-file-ignores = { \"skip_*.py\" = [\"SPK900\"] }\n",
		// The extending file adds to the selection and the excludes; the
		// base's globs are relative to the extending file's folder.
		"proj/pyproject.toml": "[tool.sparklint]\nextend = \"../shared/base.toml\"\nextend-select = [\"SPK001\"]\nextend-exclude = [\"old\"]\n",
		"proj/a.py":           badAndSyntax,
		"proj/skip_b.py":      badAndSyntax,
		"proj/gen/c.py":       badAndSyntax,
		"proj/old/d.py":       badAndSyntax,
	})
	got := configRun(t, root, Options{Paths: []string{filepath.Join(root, "proj")}})
	want := []string{"proj/a.py:2:5 SPK900", "proj/a.py:3:7 SPK001", "proj/skip_b.py:3:7 SPK001"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}

	// A select in the extending file starts the selection over.
	writeTree(t, root, map[string]string{"proj/pyproject.toml": "[tool.sparklint]\nextend = \"../shared/base.toml\"\nselect = [\"SPK001\"]\n"})
	got = configRun(t, root, Options{Paths: []string{filepath.Join(root, "proj", "a.py")}})
	if !slices.Equal(got, []string{"proj/a.py:3:7 SPK001"}) {
		t.Errorf("select over extend: %v", got)
	}
}

func TestConfigExtendCycle(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"a.toml":         "# a\nextend = \"b.toml\"\n",
		"b.toml":         "select = [\"SPK900\"]\n\nextend = \"sparklint.toml\"\n",
		"sparklint.toml": "extend = \"a.toml\"\n",
		"main.py":        badAndSyntax,
	})
	err := configErr(t, Options{Paths: []string{root}})
	var ce *ConfigError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "extend: cycle: ") || ce.Line == 0 {
		t.Fatalf("err = %v", err)
	}
	for _, name := range []string{"a.toml", "b.toml", "sparklint.toml"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("%v does not name %s", err, name)
		}
	}
	// A file extending itself.
	writeTree(t, root, map[string]string{"sparklint.toml": "extend = \"./sparklint.toml\"\n"})
	if err := configErr(t, Options{Paths: []string{root}}); !strings.Contains(err.Error(), "sparklint.toml:1: extend: cycle") {
		t.Errorf("self extend: %v", err)
	}
	// A missing base names the line of extend.
	writeTree(t, root, map[string]string{"sparklint.toml": "select = [\"ALL\"]\nextend = \"nope.toml\"\n"})
	if err := configErr(t, Options{Paths: []string{root}}); !strings.Contains(err.Error(), `sparklint.toml:2: extend: cannot read "nope.toml": no such file or directory`) {
		t.Errorf("missing base: %v", err)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tt := range []struct {
		name, file, content, want string
	}{
		{"unknown key", "pyproject.toml", "[project]\nname = \"x\"\n\n[tool.sparklint]\nselect = [\"SPK1\"]\nselekt = [\"SPK2\"]\n",
			`pyproject.toml:6: unknown key "selekt" in [tool.sparklint] (did you mean "select"?)`},
		{"unknown dotted key", "pyproject.toml", "tool.sparklint.bogus = 1\n", `pyproject.toml:1: unknown key "bogus" in [tool.sparklint]`},
		{"unknown subtable", "pyproject.toml", "[tool.sparklint]\n[tool.sparklint.lint]\nselect = []\n", `pyproject.toml:2: unknown key "lint" in [tool.sparklint]`},
		{"unknown key in sparklint.toml", "sparklint.toml", "\nfixabel = []\n", `sparklint.toml:2: unknown key "fixabel" in sparklint.toml (did you mean "fixable"?)`},
		{"prefixed sparklint.toml", "sparklint.toml", "[tool.sparklint]\nselect = []\n", `sparklint.toml:1: unknown key "tool" in sparklint.toml (sparklint.toml takes the keys at the top level`},
		{"string for a list", "pyproject.toml", "[tool.sparklint]\n\nselect = \"SPK1\"\n", `pyproject.toml:3: bad value for "select" in [tool.sparklint]: want a list of rule selectors`},
		{"integer in a list", "sparklint.toml", "ignore = [1]\n", `sparklint.toml:1: bad value for "ignore" in sparklint.toml: want a list of rule selectors`},
		{"integer for a string", "sparklint.toml", "cache-dir = 3\n", `sparklint.toml:1: bad value for "cache-dir" in sparklint.toml: want a string`},
		{"per-file-ignores entry", "pyproject.toml", "[tool.sparklint.per-file-ignores]\n\"tests/*.py\" = \"SPK1\"\n",
			`pyproject.toml:2: bad value for "per-file-ignores" entry "tests/*.py" in [tool.sparklint]: want a list of rule selectors`},
		{"per-file-ignores not a table", "sparklint.toml", "per-file-ignores = [\"x\"]\n", `sparklint.toml:1: bad value for "per-file-ignores"`},
		{"not a table", "pyproject.toml", "[tool]\nsparklint = 3\n", `pyproject.toml:2: [tool.sparklint] must be a table`},
		{"databricks", "sparklint.toml", "select = []\ndatabricks = \"maybe\"\n", `sparklint.toml:2: bad value for "databricks": want "auto", "on" or "off" (or true/false), got "maybe"`},
		{"databricks number", "sparklint.toml", "databricks = 1\n", `sparklint.toml:1: bad value for "databricks": want "auto", "on" or "off" (or true/false), got 1`},
		{"entry point", "sparklint.toml", "executor-entry-points = [\n  \"jobs.run:1\",\n  \"jobs.other\",\n]\n",
			`sparklint.toml:3: executor-entry-points: "jobs.other": want NAME:POSITION`},
		{"entry point position", "sparklint.toml", "executor-entry-points = [\"jobs.run:x\"]\n", `sparklint.toml:1: executor-entry-points: "jobs.run:x": the position must be a non-negative integer`},
		{"unpicklable", "sparklint.toml", "unpicklable-constructors = [\"mylib.connect()\"]\n", `sparklint.toml:1: unpicklable-constructors: "mylib.connect()": want a dotted name`},
		{"unknown selector", "sparklint.toml", "select = [\n  \"SPK900\",\n  \"SPK7\",\n]\n", `sparklint.toml:3: select: unknown rule selector "SPK7"`},
		{"unknown selector in per-file-ignores", "sparklint.toml", "[per-file-ignores]\n\"a.py\" = [\"SPK900\"]\n\"b.py\" = [\"XYZ\"]\n", `sparklint.toml:3: per-file-ignores: "b.py": unknown rule selector "XYZ"`},
		{"unfixable", "sparklint.toml", "unfixable = [\"E501\"]\n", `sparklint.toml:1: unfixable: unknown rule selector "E501"`},
		{"bad glob", "sparklint.toml", "exclude = [\"!keep\"]\n", `sparklint.toml:1: exclude: "!keep" is not a glob to exclude`},
		{"invalid TOML", "sparklint.toml", "select = [\n", `sparklint.toml:1: invalid TOML`},
		{"duplicate key", "pyproject.toml", "[tool.sparklint]\nselect = []\nselect = []\n", `pyproject.toml:3: invalid TOML: key select is already defined`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			writeTree(t, root, map[string]string{tt.file: tt.content, "main.py": badAndSyntax})
			t.Chdir(root)
			err := configErr(t, Options{Paths: []string{"."}})
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("got  %v\nwant %s", err, tt.want)
			}
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Path != filepath.Join(root, tt.file) {
				t.Errorf("not a ConfigError for %s: %#v", tt.file, err)
			}
		})
	}
}

func TestConfigNotConfig(t *testing.T) {
	// Other tools' tables, with keys sparklint does not know, are not
	// sparklint's business; nor is a pyproject.toml that mentions
	// sparklint elsewhere.
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"pyproject.toml": "[project]\nname = \"sparklint-demo\"\ndependencies = [\"sparklint\"]\n[tool.ruff]\nselekt = 1\n",
		"main.py":        badAndSyntax,
	})
	got := configRun(t, root, Options{})
	if !slices.Equal(got, []string{"main.py:2:5 SPK900", "main.py:3:7 SPK001"}) {
		t.Errorf("got %v", got)
	}
}

func TestConfigPerFileIgnores(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"pyproject.toml": `[tool.sparklint.per-file-ignores]
"tests/**" = ["SPK900"]
"legacy.py" = ["SPK9"]
"scripts" = ["ALL"]
"!pkg/**" = ["SPK001"]
`,
		"main.py":            badAndSyntax,
		"legacy.py":          badAndSyntax,
		"pkg/legacy.py":      badAndSyntax, // a glob without "/" matches the name at any depth
		"pkg/mod.py":         badAndSyntax,
		"tests/unit/test.py": badAndSyntax,
		"scripts/run.py":     badAndSyntax,
	})
	got := configRun(t, root, Options{})
	// main.py: SPK001 dropped by "!pkg/**"; legacy.py: everything;
	// pkg/legacy.py: SPK900.
	want := []string{"main.py:2:5 SPK900", "pkg/legacy.py:3:7 SPK001", "pkg/mod.py:2:5 SPK900", "pkg/mod.py:3:7 SPK001"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
}

func TestConfigFlagsOverride(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"sparklint.toml":  "select = [\"SPK001\"]\nexclude = [\"vendor\"]\n",
		"main.py":         badAndSyntax,
		"vendor/lib.py":   badAndSyntax,
		"generated/x.py":  badAndSyntax,
		".venv/lib/ve.py": badAndSyntax, // exclude replaces the default names
	})
	for _, tt := range []struct {
		name string
		opts Options
		want []string
	}{
		{"config", Options{}, []string{".venv/lib/ve.py:3:7 SPK001", "generated/x.py:3:7 SPK001", "main.py:3:7 SPK001"}},
		{"--select replaces", Options{Select: []string{"SPK900"}, Exclude: []string{"generated", ".venv"}}, []string{"main.py:2:5 SPK900"}},
		{"--extend-select adds", Options{ExtendSelect: []string{"SPK900"}, Exclude: []string{"generated", ".venv"}}, []string{"main.py:2:5 SPK900", "main.py:3:7 SPK001"}},
		{"--ignore removes", Options{ExtendSelect: []string{"SPK9"}, Ignore: []string{"SPK001"}, Exclude: []string{"generated/", ".venv"}}, []string{"main.py:2:5 SPK900"}},
		{"--isolated", Options{Isolated: true, Exclude: []string{"generated"}}, []string{"main.py:2:5 SPK900", "main.py:3:7 SPK001", "vendor/lib.py:2:5 SPK900", "vendor/lib.py:3:7 SPK001"}},
	} {
		got := configRun(t, root, tt.opts)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %v\nwant %v", tt.name, got, tt.want)
		}
	}
	if err := configErr(t, Options{Paths: []string{root}, ExtendSelect: []string{"SPK7"}}); err.Error() != "--extend-select: unknown rule selector \"SPK7\" (run `sparklint rule --all` for the list)" {
		t.Errorf("bad --extend-select: %v", err)
	}
	if err := configErr(t, Options{Paths: []string{root}, Isolated: true, Config: "x.toml"}); !strings.Contains(err.Error(), "--config and --isolated") {
		t.Errorf("--config with --isolated: %v", err)
	}
}

func TestConfigExplicit(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"pyproject.toml":     "[tool.sparklint]\nselect = [\"SPK001\"]\n",
		"sub/sparklint.toml": "select = [\"SPK001\"]\n",
		"sub/a.py":           badAndSyntax,
		"main.py":            badAndSyntax,
		// --config takes a bad configuration file's place: no discovery.
		"broken/sparklint.toml": "selekt = 1\n",
		"broken/b.py":           badAndSyntax,
		"ci/lint.toml":          "select = [\"SPK900\"]\nper-file-ignores = { \"../sub/*\" = [\"ALL\"] }\n",
		"ci/empty.toml":         "",
	})
	got := configRun(t, root, Options{Config: filepath.Join(root, "ci", "lint.toml")})
	if want := []string{"broken/b.py:2:5 SPK900", "main.py:2:5 SPK900", "sub/a.py:2:5 SPK900"}; !slices.Equal(got, want) {
		// "../sub/*" does not match: globs are inside the config's folder.
		t.Errorf("--config: got %v\nwant %v", got, want)
	}
	got = configRun(t, root, Options{Config: filepath.Join(root, "ci", "empty.toml"), Paths: []string{filepath.Join(root, "main.py")}})
	if want := []string{"main.py:2:5 SPK900", "main.py:3:7 SPK001"}; !slices.Equal(got, want) {
		t.Errorf("empty --config: got %v", got)
	}
	// A pyproject.toml named explicitly without [tool.sparklint] is empty.
	writeTree(t, root, map[string]string{"ci/pyproject.toml": "[project]\nname = \"x\"\n"})
	got = configRun(t, root, Options{Config: filepath.Join(root, "ci", "pyproject.toml"), Paths: []string{filepath.Join(root, "main.py")}})
	if want := []string{"main.py:2:5 SPK900", "main.py:3:7 SPK001"}; !slices.Equal(got, want) {
		t.Errorf("--config pyproject.toml without the table: got %v", got)
	}
	if err := configErr(t, Options{Paths: []string{root}, Config: filepath.Join(root, "nope.toml")}); !strings.Contains(err.Error(), "--config") || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing --config: %v", err)
	}
	// Without --config the broken file is an error.
	if err := configErr(t, Options{Paths: []string{root}}); !strings.Contains(err.Error(), `sparklint.toml:1: unknown key "selekt"`) {
		t.Errorf("broken: %v", err)
	}
}

func TestConfigExcludeScoped(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"pyproject.toml":  "[tool.sparklint]\nextend-exclude = [\"fixtures/\"]\n",
		"a/fixtures/x.py": badAndSyntax,
		// A subproject's globs with "/" are relative to its folder; its
		// configuration governs its folders (it does not exclude
		// fixtures/, but does exclude data/raw).
		"b/sparklint.toml":     "extend-exclude = [\"data/raw\"]\nselect = [\"SPK900\"]\n",
		"b/fixtures/y.py":      badAndSyntax,
		"b/data/raw/z.py":      badAndSyntax,
		"b/data/raw/more/w.py": badAndSyntax,
		"data/raw/keep.py":     badAndSyntax,
	})
	got := configRun(t, root, Options{})
	want := []string{"b/fixtures/y.py:2:5 SPK900", "data/raw/keep.py:2:5 SPK900", "data/raw/keep.py:3:7 SPK001"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
}

func TestConfigFixable(t *testing.T) {
	root := t.TempDir()
	src := sparkHeader + "x = bad_call()\ny = risky_call()\n"
	writeTree(t, root, map[string]string{
		"sparklint.toml":       "unfixable = [\"SPK900\"]\n",
		"main.py":              src,
		"fixme/sparklint.toml": "fixable = [\"SPK9\"]\n",
		"fixme/main.py":        src,
	})
	res := run(t, Options{Paths: []string{root}, NoCache: true})
	for _, f := range res.Findings {
		fixable := strings.Contains(f.Path, "fixme")
		if (f.Fix != nil) != fixable {
			t.Errorf("%s:%d fix = %v", f.Path, f.Location.Row, f.Fix)
		}
	}
	res = run(t, Options{Paths: []string{root}, NoCache: true, Fix: true, UnsafeFixes: true})
	if res.Fixed != 2 {
		t.Errorf("fixed %d, want 2 (in fixme/ only)", res.Fixed)
	}
	if data, _ := os.ReadFile(filepath.Join(root, "main.py")); string(data) != src {
		t.Errorf("unfixable rule fixed: %q", data)
	}
	if data, _ := os.ReadFile(filepath.Join(root, "fixme", "main.py")); string(data) != sparkHeader+"x = good_call()\ny = safe_call()\n" {
		t.Errorf("fixme/main.py = %q", data)
	}
}

func TestConfigCache(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"pyproject.toml": "[tool.sparklint]\ncache-dir = \"var/cache\"\nselect = [\"SPK900\"]\n",
		"main.py":        badAndSyntax,
	})
	opts := Options{Paths: []string{root}}
	first := run(t, opts)
	if _, err := os.Stat(filepath.Join(root, "var", "cache", "CACHEDIR.TAG")); err != nil {
		t.Fatalf("cache-dir not used: %v", err)
	}
	second := run(t, opts)
	if second.FilesCached != 1 || !slices.Equal(codes(t, root, second.Findings), codes(t, root, first.Findings)) {
		t.Errorf("cached run: %d cached, %v", second.FilesCached, codes(t, root, second.Findings))
	}
	// Other rules: another cache folder, not stale results.
	writeTree(t, root, map[string]string{"pyproject.toml": "[tool.sparklint]\ncache-dir = \"var/cache\"\nselect = [\"SPK001\"]\n"})
	third := run(t, opts)
	if third.FilesCached != 0 || !slices.Equal(codes(t, root, third.Findings), []string{"main.py:3:7 SPK001"}) {
		t.Errorf("after a change of select: %d cached, %v", third.FilesCached, codes(t, root, third.Findings))
	}
	// Per-file-ignores apply after the cache: a change needs no new
	// folder, and cached results honour it.
	writeTree(t, root, map[string]string{"pyproject.toml": "[tool.sparklint]\ncache-dir = \"var/cache\"\nselect = [\"SPK001\"]\nper-file-ignores = { \"main.py\" = [\"SPK001\"] }\n"})
	fourth := run(t, opts)
	if fourth.FilesCached != 1 || len(fourth.Findings) != 0 {
		t.Errorf("per-file-ignores on a cached result: %d cached, %v", fourth.FilesCached, codes(t, root, fourth.Findings))
	}
	// --cache-dir replaces cache-dir.
	other := filepath.Join(t.TempDir(), "c")
	run(t, Options{Paths: []string{root}, CacheDir: other})
	if _, err := os.Stat(filepath.Join(other, "CACHEDIR.TAG")); err != nil {
		t.Errorf("--cache-dir not used: %v", err)
	}
}

// TestConfigRuleOptions runs the real rules: options reach the analyzers,
// per configuration, and are part of the cache key.
func TestConfigRuleOptions(t *testing.T) {
	job := "import mylib\nfrom pyspark import SparkContext\n\nsc = SparkContext()\nconn = mylib.connect()\nrdd = sc.parallelize([1, 2])\nprint(rdd.map(lambda x: conn.lookup(x)).count())\n"
	// A file that works with Spark (it imports pyspark) but relies on the
	// `spark` that Databricks predefines.
	nb := "import pyspark.sql.functions as F\n\nrows = spark.read.parquet(\"x\").collect()\n"
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"pyproject.toml":        "[tool.sparklint]\nunpicklable-constructors = [\"mylib.connect\"]\n",
		"job.py":                job,
		"plain/job.py":          job,
		"plain/sparklint.toml":  "",
		"dbx/sparklint.toml":    "databricks = \"on\"\n",
		"dbx/nb.py":             nb,
		"notdbx/nb.py":          nb,
		"notdbx/sparklint.toml": "databricks = false\n",
	})
	opts := Options{Paths: []string{root}, Rules: checks.All(), CacheDir: filepath.Join(root, ".cache")}
	want := []string{"dbx/nb.py:3:32 SPK301", "job.py:7:25 SPK104"}
	for i := range 2 { // the second run comes from the cache
		res := run(t, opts)
		if got := codes(t, root, res.Findings); !slices.Equal(got, want) {
			t.Errorf("run %d: got %v\nwant %v", i, got, want)
		}
	}
	// The same file, once without the option, once with: both from the
	// same cache folder.
	writeTree(t, root, map[string]string{"plain/sparklint.toml": "unpicklable-constructors = [\"mylib.connect\"]\n"})
	res := run(t, opts)
	if got := codes(t, root, res.Findings); !slices.Contains(got, "plain/job.py:7:25 SPK104") {
		t.Errorf("option changed, cache reused: %v", got)
	}

	t.Run("plain file", func(t *testing.T) {
		// databricks = "on" is for files without the notebook header,
		// which often do not name pyspark at all.
		root := t.TempDir()
		writeTree(t, root, map[string]string{"sparklint.toml": "databricks = \"on\"\n", "nb.py": "rows = spark.read.parquet(\"x\").collect()\n"})
		res := run(t, Options{Paths: []string{root}, Rules: checks.All(), NoCache: true})
		if got := codes(t, root, res.Findings); !slices.Equal(got, []string{"nb.py:1:32 SPK301"}) {
			t.Skipf("got %v: the prefilter (Checker.Wanted in check.go) rejects files that do not mention Spark, whatever the Databricks mode", got)
		}
	})
}

func TestLoadConfigSettings(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"base.toml": "unpicklable-constructors = [\"mylib.db.connect\"]\ndatabricks = true\n",
		"pyproject.toml": `[tool.sparklint]
extend = "base.toml"
executor-entry-points = ["jobs.util.run_distributed:1", "RDD.mapPartitionsWithBarrier:0"]
`,
	})
	c, err := LoadConfig(filepath.Join(root, "pyproject.toml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := &settings.Settings{
		ExtraUnpicklable: []string{"mylib.db.connect"},
		ExtraEntryPoints: []settings.EntryPoint{{Name: "jobs.util.run_distributed", Position: 1}, {Name: "RDD.mapPartitionsWithBarrier", Position: 0}},
		Databricks:       settings.DatabricksOn,
	}
	if got := c.Settings(); !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	for v, mode := range map[string]settings.Databricks{`"auto"`: settings.DatabricksAuto, `"OFF"`: settings.DatabricksOff, "false": settings.DatabricksOff, `"on"`: settings.DatabricksOn} {
		writeTree(t, root, map[string]string{"sparklint.toml": "databricks = " + v + "\n"})
		c, err := LoadConfig(filepath.Join(root, "sparklint.toml"), nil)
		if err != nil || c.Settings().Databricks != mode {
			t.Errorf("databricks = %s: %v %v", v, c.Settings(), err)
		}
	}
	if c, _ := LoadConfig(filepath.Join(root, "base.toml"), nil); c.Settings() == settings.Default {
		t.Error("options set, defaults returned")
	}
}

func TestResolveLayers(t *testing.T) {
	all := []*checks.Rule{{Code: "SPK101"}, {Code: "SPK102"}, {Code: "SPK201"}, {Code: "SPK301"}}
	names := func(rs []*checks.Rule) string {
		var out []string
		for _, r := range rs {
			out = append(out, r.Code)
		}
		return strings.Join(out, ",")
	}
	def := ruleLayer{sel: []string{"ALL"}, hasSel: true}
	for _, tt := range []struct {
		layers []ruleLayer
		want   string
	}{
		{[]ruleLayer{def}, "SPK101,SPK102,SPK201,SPK301"},
		{[]ruleLayer{def, {sel: []string{"SPK1"}, hasSel: true}}, "SPK101,SPK102"},
		{[]ruleLayer{def, {sel: []string{"SPK1"}, hasSel: true, ignore: []string{"SPK102"}}}, "SPK101"},
		{[]ruleLayer{def, {sel: []string{"SPK2"}, hasSel: true, ignore: []string{"SPK"}}}, "SPK201"},
		{[]ruleLayer{def, {sel: []string{"SPK1"}, hasSel: true}, {extend: []string{"SPK3"}}}, "SPK101,SPK102,SPK301"},
		{[]ruleLayer{def, {sel: []string{"SPK1"}, hasSel: true}, {ignore: []string{"SPK101"}}}, "SPK102"},
		{[]ruleLayer{def, {ignore: []string{"ALL"}}}, ""},
		{[]ruleLayer{def, {ignore: []string{"ALL"}, extend: []string{"SPK2"}}}, "SPK201"},
		{[]ruleLayer{def, {sel: []string{}, hasSel: true, extend: []string{"SPK301"}}}, "SPK301"},
		{[]ruleLayer{def, {sel: []string{"SPK1"}, hasSel: true}, {sel: []string{"SPK2"}, hasSel: true}}, "SPK201"},
	} {
		if got := names(resolveLayers(all, tt.layers)); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.layers, got, tt.want)
		}
	}
}

// TestConfigKeys keeps the key list (used for messages) and the decoded
// struct in step.
func TestConfigKeys(t *testing.T) {
	typ := reflect.TypeFor[rawConfig]()
	var tags []string
	for i := range typ.NumField() {
		tags = append(tags, typ.Field(i).Tag.Get("toml"))
	}
	var keys []string
	for k := range configKeys {
		keys = append(keys, k)
	}
	slices.Sort(tags)
	slices.Sort(keys)
	if !slices.Equal(tags, keys) {
		t.Errorf("rawConfig keys %v, configKeys %v", tags, keys)
	}
}
