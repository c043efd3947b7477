package main

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOutputFormats(t *testing.T) {
	dir := tree(t, map[string]string{"jobs/bad.py": syntaxError})
	for _, tt := range []struct {
		format string
		check  func(t *testing.T, out string)
	}{
		{"github", func(t *testing.T, out string) {
			if !strings.HasPrefix(out, "::error title=SPK001 syntax-error,file=jobs/bad.py,line=3,col=") || strings.Count(out, "\n") != 1 {
				t.Errorf("github: %q", out)
			}
		}},
		{"sarif", func(t *testing.T, out string) {
			var log struct {
				Version string
				Runs    []struct {
					Tool struct {
						Driver struct {
							Name, Version string
							Rules         []struct{ ID string }
						}
					}
					Results []struct {
						RuleID    string
						RuleIndex int
					}
				}
			}
			if err := json.Unmarshal([]byte(out), &log); err != nil {
				t.Fatal(err)
			}
			run := log.Runs[0]
			if log.Version != "2.1.0" || run.Tool.Driver.Name != "sparklint" || run.Tool.Driver.Version != version ||
				len(run.Results) != 1 || run.Tool.Driver.Rules[run.Results[0].RuleIndex].ID != "SPK001" {
				t.Errorf("sarif: %s", out)
			}
			if len(run.Tool.Driver.Rules) < 2 {
				t.Errorf("sarif: %d rules, want every rule that ran", len(run.Tool.Driver.Rules))
			}
		}},
		{"junit", func(t *testing.T, out string) {
			var doc struct {
				Failures int `xml:"failures,attr"`
			}
			if err := xml.Unmarshal([]byte(out), &doc); err != nil || doc.Failures != 1 {
				t.Errorf("junit: %v %s", err, out)
			}
		}},
		{"gitlab", func(t *testing.T, out string) {
			var issues []struct {
				CheckName string `json:"check_name"`
				Location  struct {
					Path  string
					Lines struct{ Begin int }
				}
			}
			if err := json.Unmarshal([]byte(out), &issues); err != nil || len(issues) != 1 || issues[0].CheckName != "SPK001" ||
				issues[0].Location.Path != "jobs/bad.py" || issues[0].Location.Lines.Begin != 3 {
				t.Errorf("gitlab: %v %s", err, out)
			}
		}},
		{"json-lines", func(t *testing.T, out string) {
			var f struct{ Code, Filename string }
			if err := json.Unmarshal([]byte(out), &f); err != nil || f.Code != "SPK001" || strings.Count(out, "\n") != 1 {
				t.Errorf("json-lines: %v %q", err, out)
			}
		}},
		{"concise", func(t *testing.T, out string) {
			if !strings.HasPrefix(out, "jobs/bad.py:3:") || strings.Contains(out, " | ") {
				t.Errorf("concise: %q", out)
			}
		}},
	} {
		t.Run(tt.format, func(t *testing.T) {
			code, out, stderr := sparklint(t, dir, "check", "--no-cache", "--output-format", tt.format)
			if code != 1 {
				t.Fatalf("exit %d, stderr %s", code, stderr)
			}
			tt.check(t, out)
		})
	}
}

func TestUnknownOutputFormat(t *testing.T) {
	dir := tree(t, map[string]string{"a.py": "x = 1\n"})
	code, out, stderr := sparklint(t, dir, "check", "--output-format", "xml")
	if code != 2 || out != "" || !strings.Contains(stderr, `invalid --output-format "xml"`) || !strings.Contains(stderr, "sarif") {
		t.Errorf("%d %q %q", code, out, stderr)
	}
}

func TestOutputFile(t *testing.T) {
	dir := tree(t, map[string]string{"jobs/bad.py": syntaxError, "jobs/bin.py": "import pyspark\x00"})
	target := filepath.Join(dir, "reports", "sparklint.sarif")
	code, out, stderr := sparklint(t, dir, "check", "--no-cache", "--output-format", "sarif", "--output-file", target)
	if code != 1 || out != "" {
		t.Fatalf("exit %d, stdout %q, stderr %s", code, out, stderr)
	}
	if !strings.Contains(stderr, "jobs/bin.py") {
		t.Errorf("the unreadable file is not reported on stderr: %q", stderr)
	}
	data, err := os.ReadFile(target)
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(data) || !strings.Contains(string(data), `"ruleId": "SPK001"`) {
		t.Errorf("report: %s", data)
	}
	if st, err := os.Stat(target); err != nil || st.Mode().Perm() != 0o644 {
		t.Errorf("mode: %v %v", st.Mode(), err)
	}
	// A second run replaces the file; no temporary file is left behind.
	code, _, _ = sparklint(t, dir, "check", "--no-cache", "-o", target, "jobs/bad.py")
	if code != 1 {
		t.Errorf("second run: exit %d", code)
	}
	data, _ = os.ReadFile(target)
	if !strings.HasPrefix(string(data), "jobs/bad.py:3:") || !strings.Contains(string(data), "Found 1 error.") {
		t.Errorf("text report: %q", data)
	}
	entries, _ := os.ReadDir(filepath.Dir(target))
	if len(entries) != 1 {
		t.Errorf("files beside the report: %v", entries)
	}
	// A report that cannot be written is an error (exit 2).
	code, _, stderr = sparklint(t, dir, "check", "--no-cache", "-o", filepath.Join(dir, "jobs", "bad.py", "x.json"))
	if code != 2 || !strings.Contains(stderr, "sparklint: error: ") {
		t.Errorf("unwritable: %d %q", code, stderr)
	}
}
