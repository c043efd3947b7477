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
		Code     string `json:"code"`
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
