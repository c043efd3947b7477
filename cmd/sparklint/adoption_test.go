package main

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// Tests of the adoption tooling: --add-noqa on the command line, the
// pre-commit hooks (.pre-commit-hooks.yaml, exercised with the real
// pre-commit when it is installed) and the GitHub Action (action.yml).

func TestAddNoqaCommand(t *testing.T) {
	bad := "from pyspark.sql import SparkSession\nspark = SparkSession.builder.getOrCreate()\nrows = spark.read.parquet('s3://lake/t').collect()\n"
	dir := tree(t, map[string]string{"a.py": bad, "b.py": "import pyspark\nx = 1\n", "skip/c.py": bad})
	code, out, errOut := sparklint(t, dir, "check", "--add-noqa", "--no-cache", "--exclude", "skip")
	if code != 0 || out != "Added 1 noqa directive.\n" || errOut != "" {
		t.Fatalf("--add-noqa: %d %q %q", code, out, errOut)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "a.py"))
	if want := strings.Replace(bad, ".collect()", ".collect()  # noqa: SPK301", 1); string(data) != want {
		t.Errorf("a.py = %q, want %q", data, want)
	}
	if code, out, _ := sparklint(t, dir, "check", "--add-noqa", "--exclude", "skip"); code != 0 || out != "Added 0 noqa directives.\n" {
		t.Errorf("second --add-noqa: %d %q", code, out)
	}
	if code, out, _ := sparklint(t, dir, "check", "--exclude", "skip"); code != 0 {
		t.Errorf("check after --add-noqa: %d %q", code, out)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "skip", "c.py")); string(data) != bad {
		t.Errorf("excluded file written: %q", data)
	}
}

func TestForceExcludeCommand(t *testing.T) {
	bad := "from pyspark.sql import SparkSession\nspark = SparkSession.builder.getOrCreate()\nrows = spark.read.parquet('s3://lake/t').collect()\n"
	dir := tree(t, map[string]string{"build/gen.py": bad, "vendored.py": bad, ".gitignore": "vendored.py\n"})
	if code, _, _ := sparklint(t, dir, "check", "--no-cache", "build/gen.py", "vendored.py"); code != 1 {
		t.Errorf("named files are checked without --force-exclude: status %d", code)
	}
	code, out, errOut := sparklint(t, dir, "check", "--no-cache", "--force-exclude", "build/gen.py", "vendored.py")
	if code != 0 || strings.Contains(out, "SPK301") {
		t.Errorf("--force-exclude: %d %q %q", code, out, errOut)
	}
}

// hookManifest is the part of .pre-commit-hooks.yaml the tests read.
type hookManifest []struct {
	ID            string   `yaml:"id"`
	Name          string   `yaml:"name"`
	Entry         string   `yaml:"entry"`
	Language      string   `yaml:"language"`
	TypesOr       []string `yaml:"types_or"`
	RequireSerial bool     `yaml:"require_serial"`
}

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// checkFlags fails when a command line of the manifests uses a flag the
// check command does not have.
func checkFlags(t *testing.T, where, cmdline string) {
	t.Helper()
	var status int
	root := newRootCmd(&bytes.Buffer{}, &bytes.Buffer{}, &status)
	check, _, err := root.Find([]string{"check"})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range strings.Fields(cmdline) {
		if name, ok := strings.CutPrefix(w, "--"); ok && check.Flags().Lookup(name) == nil {
			t.Errorf("%s: check has no flag --%s", where, name)
		}
	}
}

func TestPreCommitHooksManifest(t *testing.T) {
	var hooks hookManifest
	readYAML(t, "../../.pre-commit-hooks.yaml", &hooks)
	entries := map[string]string{}
	for _, h := range hooks {
		entries[h.ID] = h.Entry
		if h.Name == "" || h.Language != "golang" || !h.RequireSerial ||
			!slices.Contains(h.TypesOr, "python") || !slices.Contains(h.TypesOr, "jupyter") {
			t.Errorf("hook %s: %+v", h.ID, h)
		}
		if !strings.HasPrefix(h.Entry, "sparklint check --force-exclude") {
			t.Errorf("hook %s: entry %q", h.ID, h.Entry)
		}
		checkFlags(t, "hook "+h.ID, h.Entry)
	}
	if _, ok := entries["sparklint"]; !ok || !strings.Contains(entries["sparklint-fix"], "--fix") || len(hooks) != 2 {
		t.Errorf("hooks = %v, want sparklint and sparklint-fix", entries)
	}
}

// actionManifest is the part of action.yml the tests read.
type actionManifest struct {
	Name, Description string
	Inputs            map[string]struct {
		Description string  `yaml:"description"`
		Default     *string `yaml:"default"`
	}
	Outputs map[string]struct {
		Value string `yaml:"value"`
	}
	Runs struct {
		Using string
		Steps []struct {
			ID    string            `yaml:"id"`
			If    string            `yaml:"if"`
			Uses  string            `yaml:"uses"`
			Run   string            `yaml:"run"`
			Shell string            `yaml:"shell"`
			With  map[string]string `yaml:"with"`
			Env   map[string]string `yaml:"env"`
		}
	}
}

func TestGitHubAction(t *testing.T) {
	var a actionManifest
	readYAML(t, "../../action.yml", &a)
	if a.Name == "" || a.Description == "" || a.Runs.Using != "composite" {
		t.Errorf("name %q, description %q, runs.using %q", a.Name, a.Description, a.Runs.Using)
	}
	defaults := map[string]string{"args": "check", "version": "", "output-format": "github", "sarif-file": "sparklint.sarif", "working-directory": "."}
	for name, want := range defaults {
		in, ok := a.Inputs[name]
		if !ok || in.Description == "" || in.Default == nil || *in.Default != want {
			t.Errorf("input %s: %+v, want default %q", name, in, want)
		}
	}
	var uses, runs []string
	for i, s := range a.Runs.Steps {
		switch {
		case s.Uses != "" && s.Run == "":
			uses = append(uses, s.Uses)
		case s.Run != "" && s.Uses == "":
			// Composite run steps must name their shell.
			if s.Shell == "" {
				t.Errorf("step %d runs without a shell", i)
			}
			runs = append(runs, s.Run)
			// Inputs reach scripts through the environment, never
			// spliced into the script (script injection).
			if strings.Contains(s.Run, "${{") {
				t.Errorf("step %d splices an expression into its script", i)
			}
		default:
			t.Errorf("step %d: one of uses and run, please", i)
		}
	}
	script := strings.Join(runs, "\n")
	for _, want := range []string{"go install", "./cmd/sparklint", "github.com/sparklint/sparklint/cmd/sparklint@", "--output-format github", "--output-format sarif", "GITHUB_PATH"} {
		if !strings.Contains(script, want) {
			t.Errorf("the action's scripts lack %q", want)
		}
	}
	for _, want := range []string{"actions/setup-go@", "github/codeql-action/upload-sarif@"} {
		if !slices.ContainsFunc(uses, func(u string) bool { return strings.HasPrefix(u, want) }) {
			t.Errorf("the action does not use %s (uses %v)", want, uses)
		}
	}
	for _, m := range regexp.MustCompile(`sparklint \$SPARKLINT_ARGS([^\n>]*)`).FindAllStringSubmatch(script, -1) {
		checkFlags(t, "action.yml", m[1])
	}
}

// The README's adoption snippets are valid YAML that names the hooks and
// the action.
func TestReadmeAdoptionSnippets(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	start := strings.Index(readme, "\n## Adopting sparklint\n")
	if start < 0 {
		t.Fatal("README has no \"## Adopting sparklint\" section")
	}
	section := readme[start+1:]
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	blocks := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(section, -1)
	var all string
	for _, b := range blocks {
		var v any
		if err := yaml.Unmarshal([]byte(b[1]), &v); err != nil {
			t.Errorf("README YAML snippet does not parse: %v\n%s", err, b[1])
		}
		all += b[1]
	}
	for _, want := range []string{"repo: https://github.com/sparklint/sparklint", "rev: ", "id: sparklint", "uses: sparklint/sparklint@", "output-format: sarif", "security-events: write"} {
		if !strings.Contains(all, want) {
			t.Errorf("README YAML snippets lack %q", want)
		}
	}
	for _, want := range []string{"sparklint check --add-noqa", "### pre-commit", "### GitHub Action"} {
		if !strings.Contains(section, want) {
			t.Errorf("README adoption section lacks %q", want)
		}
	}
}

// TestPreCommitHook runs the hooks of this checkout with the real
// pre-commit (`pre-commit try-repo`) in a throwaway git repository: the
// sparklint hook must fail on a bad file, pass on a clean one and on an
// excluded one (--force-exclude), and sparklint-fix must fix a file.
//
// try-repo builds the hooks from a git repository; it sees uncommitted
// changes to tracked files but not new files, so the test snapshots the
// checkout as it is (tracked and untracked files not ignored by git) into
// a temporary repository with one commit and points try-repo at that.
//
// Without pre-commit the test is skipped, unless
// SPARKLINT_REQUIRE_PRECOMMIT is set (.ci/run installs pre-commit and sets
// it, so CI runs the test for real).
func TestPreCommitHook(t *testing.T) {
	required := os.Getenv("SPARKLINT_REQUIRE_PRECOMMIT") != ""
	for _, tool := range []string{"pre-commit", "git", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			if required {
				t.Fatalf("%s is not installed, and SPARKLINT_REQUIRE_PRECOMMIT is set", tool)
			}
			t.Skipf("%s is not installed: skipping the pre-commit hook test (apt-get install pre-commit; CI sets SPARKLINT_REQUIRE_PRECOMMIT=1 to require it)", tool)
		}
	}
	if testing.Short() && !required {
		t.Skip("-short: skipping the pre-commit hook test (it builds sparklint through pre-commit)")
	}
	ctx := t.Context()
	if d, ok := t.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, d.Add(-30*time.Second))
		defer cancel()
	}
	tmp := t.TempDir()
	env := preCommitEnv(t, tmp)
	sh := func(dir string, args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(ctx, args[0], args[1:]...)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}

	checkout, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	hooksRepo := filepath.Join(tmp, "sparklint")
	snapshot(t, checkout, hooksRepo)
	sh(hooksRepo, "git", "init", "-q")
	sh(hooksRepo, "git", "add", "-A")
	sh(hooksRepo, "git", "commit", "-q", "-m", "snapshot of the checkout under test")

	const bad = "from pyspark.sql import SparkSession\n\nspark = SparkSession.builder.getOrCreate()\nrows = spark.read.parquet(\"s3://lake/orders\").collect()\n"
	const fixable = "from pyspark.sql import SparkSession\n\nspark = SparkSession.builder.getOrCreate()\n" +
		"orders = spark.read.parquet(\"s3://lake/orders\")\n" +
		"totals = orders.rdd.map(lambda r: (r.customer_id, r.amount)).groupByKey().mapValues(sum).collect()\n"
	project := filepath.Join(tmp, "project")
	files := map[string]string{
		"jobs/bad.py":   bad,
		"jobs/clean.py": "from pyspark.sql import functions as F\n\n\ndef upper(df):\n    return df.withColumn(\"name\", F.upper(\"name\"))\n",
		"build/gen.py":  bad, // excluded by default: --force-exclude skips it
		"jobs/fixme.py": fixable,
	}
	for rel, content := range files {
		p := filepath.Join(project, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sh(project, "git", "init", "-q")
	sh(project, "git", "add", "-A")
	sh(project, "git", "commit", "-q", "-m", "PySpark project")

	tryRepo := func(hook, file string) (string, error) {
		cmd := exec.CommandContext(ctx, "pre-commit", "try-repo", "--color", "never", hooksRepo, hook, "--files", file)
		cmd.Dir, cmd.Env = project, env
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			t.Fatalf("pre-commit try-repo: %v\n%s", err, out)
		}
		return string(out), err
	}
	out, err := tryRepo("sparklint", "jobs/bad.py")
	t.Logf("pre-commit try-repo ... sparklint --files jobs/bad.py:\n%s", out)
	if err == nil || !strings.Contains(out, "SPK301") || !strings.Contains(out, "Failed") {
		t.Errorf("sparklint hook on a bad file: want a failure naming SPK301, got err %v:\n%s", err, out)
	}
	if out, err := tryRepo("sparklint", "jobs/clean.py"); err != nil || !strings.Contains(out, "Passed") {
		t.Errorf("sparklint hook on a clean file: want a pass, got err %v:\n%s", err, out)
	}
	if out, err := tryRepo("sparklint", "build/gen.py"); err != nil || !strings.Contains(out, "Passed") {
		t.Errorf("sparklint hook on an excluded file (--force-exclude): want a pass, got err %v:\n%s", err, out)
	}
	out, err = tryRepo("sparklint-fix", "jobs/fixme.py")
	fixed, _ := os.ReadFile(filepath.Join(project, "jobs", "fixme.py"))
	if err == nil || !strings.Contains(out, "files were modified by this hook") || string(fixed) == fixable || strings.Contains(string(fixed), "groupByKey") {
		t.Errorf("sparklint-fix hook: want the file fixed (and the hook failed, as pre-commit does for modified files), got err %v, file %q:\n%s", err, fixed, out)
	}
}

// preCommitEnv is the environment of the pre-commit runs: no git
// variables of an enclosing hook, a private pre-commit home, a git
// identity, and Go's module cache shared with this build (pre-commit sets
// GOPATH to the hook environment, which would otherwise download every
// module again).
func preCommitEnv(t *testing.T, tmp string) []string {
	t.Helper()
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "GIT_") || strings.HasPrefix(kv, "PRE_COMMIT") {
			continue
		}
		env = append(env, kv)
	}
	modcache, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatalf("go env GOMODCACHE: %v", err)
	}
	return append(env,
		"PRE_COMMIT_HOME="+filepath.Join(tmp, "pre-commit-home"),
		"GOMODCACHE="+strings.TrimSpace(string(modcache)),
		"GIT_AUTHOR_NAME=sparklint test", "GIT_AUTHOR_EMAIL=test@sparklint.invalid",
		"GIT_COMMITTER_NAME=sparklint test", "GIT_COMMITTER_EMAIL=test@sparklint.invalid",
		"GIT_CONFIG_NOSYSTEM=1", "NO_COLOR=1",
	)
}

// snapshot copies the checkout's files into dst: the files git knows and
// the untracked ones it does not ignore, or, outside git, every file but
// the .git folders and sparklint caches.
func snapshot(t *testing.T, checkout, dst string) {
	t.Helper()
	var files []string
	cmd := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	cmd.Dir = checkout
	if out, err := cmd.Output(); err == nil {
		for _, f := range strings.Split(string(out), "\x00") {
			if f != "" {
				files = append(files, filepath.FromSlash(f))
			}
		}
	} else {
		err := filepath.WalkDir(checkout, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == ".git" || d.Name() == ".sparklint_cache") {
				return filepath.SkipDir
			}
			if d.Type().IsRegular() {
				rel, _ := filepath.Rel(checkout, p)
				files = append(files, rel)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, rel := range files {
		src := filepath.Join(checkout, rel)
		st, err := os.Lstat(src)
		if err != nil || !st.Mode().IsRegular() {
			continue // deleted in the working tree, or not a plain file
		}
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, st.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
}
