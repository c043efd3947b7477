package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// The README's first command lints examples/daily_orders.py; this keeps
// what it promises true: one finding of each wave-1 rule it exercises, and
// exit status 1.
func TestReadmeExample(t *testing.T) {
	example, err := filepath.Abs("../../examples/daily_orders.py")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "sparklint check examples/daily_orders.py") || !strings.Contains(string(readme), "go test -race ./...") {
		t.Error("README no longer shows the example and test commands")
	}
	dir := t.TempDir()
	src, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "daily_orders.py"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := sparklint(t, dir, "check", "--no-cache", "--output-format", "json", "daily_orders.py")
	if code != 1 {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	var findings []struct {
		Code     string            `json:"code"`
		Location struct{ Row int } `json:"location"`
	}
	if err := json.Unmarshal([]byte(out), &findings); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range findings {
		got = append(got, f.Code)
	}
	sort.Strings(got)
	want := "SPK101 SPK103 SPK104 SPK201 SPK301 SPK401 SPK501"
	if strings.Join(got, " ") != want {
		t.Errorf("codes = %v, want %s", got, want)
	}
}

func TestJupyterNotebookFindingsAreReportedPerCell(t *testing.T) {
	nb := `{"cells": [
 {"cell_type": "markdown", "source": ["# Orders\n"]},
 {"cell_type": "code", "source": ["%pip install pyspark\n", "orders = spark.read.parquet('s3://lake/orders')\n"]},
 {"cell_type": "code", "source": ["n = orders.count()\n", "rows = orders.collect()  # the whole table\n"]}
], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`
	dir := tree(t, map[string]string{"analysis/orders.ipynb": nb})
	code, out, stderr := sparklint(t, dir, "check", "--no-cache", "--output-format", "json")
	if code != 1 {
		t.Fatalf("exit %d, stderr %s, out %s", code, stderr, out)
	}
	var findings []struct {
		Cell     *int   `json:"cell"`
		Code     string `json:"code"`
		Filename string `json:"filename"`
		Location struct{ Row, Column int }
	}
	if err := json.Unmarshal([]byte(out), &findings); err != nil {
		t.Fatal(err)
	}
	if len(findings) != 1 || findings[0].Code != "SPK301" || findings[0].Cell == nil || *findings[0].Cell != 3 ||
		findings[0].Location.Row != 2 || findings[0].Filename != filepath.Join("analysis", "orders.ipynb") {
		t.Fatalf("findings = %+v, want SPK301 in cell 3, row 2", findings)
	}
	_, text, _ := sparklint(t, dir, "check", "--no-cache", "analysis/orders.ipynb")
	if !strings.Contains(text, filepath.Join("analysis", "orders.ipynb")+":cell 3:2:") {
		t.Errorf("text output does not name the cell:\n%s", text)
	}
	if !strings.Contains(text, filepath.Join("analysis", "orders.ipynb")+":cell 2:2:") {
		t.Errorf("the note on the source does not name its cell:\n%s", text)
	}
}

func TestIgnoreNoqaAndUnusedNoqa(t *testing.T) {
	src := "from pyspark import SparkContext\nsc = SparkContext()\np = sc.parallelize([(1, 2)])\ng = p.groupByKey()  # noqa: SPK201\nh = p.keys()  # noqa: SPK201\n"
	dir := tree(t, map[string]string{"job.py": src})
	code, out, _ := sparklint(t, dir, "check", "--no-cache", "--output-format", "concise", "job.py")
	if code != 1 || !strings.Contains(out, "job.py:5:") || !strings.Contains(out, "SPK002") || strings.Contains(out, " SPK201 ") {
		t.Errorf("exit %d, want only the unused directive on line 5:\n%s", code, out)
	}
	code, out, _ = sparklint(t, dir, "check", "--no-cache", "--ignore-noqa", "--output-format", "concise", "job.py")
	if code != 1 || !strings.Contains(out, "job.py:4:") || !strings.Contains(out, "SPK201") || strings.Contains(out, "SPK002") {
		t.Errorf("exit %d, want the suppressed SPK201 and no SPK002 with --ignore-noqa:\n%s", code, out)
	}
}
