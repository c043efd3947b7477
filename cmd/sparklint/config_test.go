package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// groupByKey has SPK201 with a safe fix on line 4.
const groupByKey = "from pyspark import SparkContext\nsc = SparkContext()\nrdd = sc.parallelize([(1, 2)])\nprint(rdd.groupByKey().mapValues(sum).collect())\n"

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestConfigErrorExit(t *testing.T) {
	dir := tree(t, map[string]string{"a.py": syntaxError})
	writeFile(t, filepath.Join(dir, "pyproject.toml"), "[project]\nname = \"x\"\n\n[tool.sparklint]\nselect = [\"SPK0\"]\nselekt = [\"SPK1\"]\n")
	code, out, errOut := sparklint(t, dir, "check", "--no-cache")
	want := "sparklint: error: pyproject.toml:6: unknown key \"selekt\" in [tool.sparklint] (did you mean \"select\"?)\n"
	if code != 2 || out != "" || errOut != want {
		t.Errorf("unknown key: %d %q %q", code, out, errOut)
	}
	writeFile(t, filepath.Join(dir, "sub", "sparklint.toml"), "databricks = \"sometimes\"\n")
	writeFile(t, filepath.Join(dir, "pyproject.toml"), "[tool.sparklint]\n")
	code, _, errOut = sparklint(t, dir, "check", "--no-cache")
	if code != 2 || !strings.HasPrefix(errOut, "sparklint: error: "+filepath.Join("sub", "sparklint.toml")+":1: bad value for \"databricks\"") {
		t.Errorf("bad value: %d %q", code, errOut)
	}
	// --isolated does not read it; --config reads only the file given.
	if code, _, errOut := sparklint(t, dir, "check", "--no-cache", "--isolated"); code != 1 {
		t.Errorf("--isolated: %d %q", code, errOut)
	}
	if code, _, errOut := sparklint(t, dir, "check", "--no-cache", "--config", "pyproject.toml"); code != 1 {
		t.Errorf("--config: %d %q", code, errOut)
	}
	code, _, errOut = sparklint(t, dir, "check", "--config", "pyproject.toml", "--isolated")
	if code != 2 || !strings.Contains(errOut, "--config and --isolated cannot be used together") || !strings.Contains(errOut, "--help") {
		t.Errorf("--config with --isolated: %d %q", code, errOut)
	}
}

func TestConfigCommand(t *testing.T) {
	dir := tree(t, map[string]string{"a.py": syntaxError, "jobs/etl.py": groupByKey})
	writeFile(t, filepath.Join(dir, "pyproject.toml"), "[tool.sparklint]\nselect = [\"SPK001\"]\n")
	code, out, _ := sparklint(t, dir, "check", "--no-cache", "--output-format", "concise")
	if code != 1 || !strings.Contains(out, "a.py:3:7: SPK001") || strings.Contains(out, "SPK201") {
		t.Errorf("config select: %d %q", code, out)
	}
	code, out, _ = sparklint(t, dir, "check", "--no-cache", "--output-format", "concise", "--extend-select", "SPK201")
	if code != 1 || !strings.Contains(out, "SPK001") || !strings.Contains(out, "SPK201 [*]") {
		t.Errorf("--extend-select: %d %q", code, out)
	}
	code, out, _ = sparklint(t, dir, "check", "--no-cache", "--output-format", "concise", "--select", "SPK2")
	if code != 1 || strings.Contains(out, "SPK001") || !strings.Contains(out, "SPK201") {
		t.Errorf("--select: %d %q", code, out)
	}
	if code, out, _ := sparklint(t, dir, "check", "--no-cache", "--output-format", "concise", "--isolated", "--exclude", "a.py"); code != 1 || !strings.Contains(out, "SPK201") || strings.Contains(out, "SPK001") {
		t.Errorf("--isolated: %d %q", code, out)
	}

	// A subproject's configuration: its rules, its unfixable rules (no
	// [*], no fix) and its per-file-ignores.
	writeFile(t, filepath.Join(dir, "jobs", "sparklint.toml"), "select = [\"SPK2\"]\nunfixable = [\"SPK201\"]\n\n[per-file-ignores]\n\"legacy_*.py\" = [\"SPK201\"]\n")
	writeFile(t, filepath.Join(dir, "jobs", "legacy_load.py"), groupByKey)
	code, out, _ = sparklint(t, dir, "check", "--no-cache", "--output-format", "concise")
	if code != 1 || !strings.Contains(out, filepath.Join("jobs", "etl.py")+":4:11: SPK201 `groupByKey()`") || strings.Contains(out, "[*]") || strings.Contains(out, "legacy") {
		t.Errorf("subproject: %d %q", code, out)
	}
	code, _, _ = sparklint(t, dir, "check", "--no-cache", "--fix")
	if data, _ := os.ReadFile(filepath.Join(dir, "jobs", "etl.py")); code != 1 || string(data) != groupByKey {
		t.Errorf("--fix applied an unfixable rule: %d %q", code, data)
	}
}
