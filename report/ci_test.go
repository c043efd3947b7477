package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/sparklint/sparklint/checks"
	"github.com/sparklint/sparklint/lint"
)

// ciSample is sample() plus a finding in a Jupyter notebook (rows counted
// within cell 3) and one in a file outside the working folder.
func ciSample() []lint.Finding {
	fs := sample()
	return append(fs,
		lint.Finding{
			Cell: 3, Code: "SPK301", Name: "unbounded-collect", Path: "notebooks/explore.ipynb",
			Message:  "`collect()` of the whole table `sales` into the driver",
			Location: lint.Position{Row: 2, Column: 8}, End: lint.Position{Row: 2, Column: 39}, NoqaRow: 2,
			URL:        url + "spk301-unbounded-collect",
			SourceLine: "rows = spark.table(\"sales\").collect()",
		},
		lint.Finding{
			Code: "SPK201", Name: "group-by-key", Path: "/srv/shared/lib jobs/agg.py",
			Message:  "`groupByKey()` ships every value of a key to one executor: use `reduceByKey`",
			Location: lint.Position{Row: 7, Column: 5}, End: lint.Position{Row: 7, Column: 21}, NoqaRow: 7,
			URL:        url + "spk201-group-by-key",
			SourceLine: "    pairs.groupByKey()",
		},
	)
}

// testRules document the codes of ciSample for the SARIF golden file, so
// that it does not change whenever a real rule's documentation does.
func testRules() []*checks.Rule {
	var out []*checks.Rule
	for _, r := range []struct{ code, name string }{
		{"SPK001", "syntax-error"}, {"SPK101", "executor-mutates-driver-state"}, {"SPK201", "group-by-key"},
		{"SPK301", "unbounded-collect"}, {"SPK401", "udf-replaceable-by-builtin"},
	} {
		out = append(out, &checks.Rule{
			Code: r.code, Name: r.name,
			Summary:    "Summary of " + r.code + ".",
			WhatItDoes: "What " + r.code + " does.",
			WhyBad:     "Why " + r.code + " matters on a cluster.",
			Example:    "rdd.groupByKey()",
			UseInstead: "rdd.reduceByKey(add)",
		})
	}
	return out
}

func TestGitHubGolden(t *testing.T) {
	golden(t, "github.golden", render(t, func(b *bytes.Buffer) error { return GitHub(b, ciSample()) }))
	if got := render(t, func(b *bytes.Buffer) error { return GitHub(b, nil) }); len(got) != 0 {
		t.Errorf("clean run: %q", got)
	}
}

// A file name or message cannot end a workflow command early or start
// another one.
func TestGitHubEscaping(t *testing.T) {
	f := sample()[3]
	f.Path = "a,b:c%d\r\ne.py"
	f.Message = "50% done\r\n::error file=x.py::injected, really: yes"
	got := string(render(t, func(b *bytes.Buffer) error { return GitHub(b, []lint.Finding{f}) }))
	want := "::error title=SPK001 syntax-error,file=a%2Cb%3Ac%25d%0D%0Ae.py,line=4,col=1::" +
		"50%25 done%0D%0A::error file=x.py::injected, really: yes\n"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if strings.Count(got, "\n") != 1 {
		t.Errorf("more than one line: %q", got)
	}
}

func TestSARIFGolden(t *testing.T) {
	opts := SARIFOptions{Version: "1.2.3", Rules: testRules(), SrcRoot: "/home/ci/project",
		Errors: []lint.FileError{sampleErrors()[0]}}
	golden(t, "sarif.golden", render(t, func(b *bytes.Buffer) error { return SARIF(b, ciSample(), opts) }))
}

// sarifSchema compiles the official SARIF 2.1.0 schema kept under
// testdata (no network: the compiler only loads what it is given).
func sarifValidator(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "sarif-schema-2.1.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	const id = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	if got := doc.(map[string]any)["id"]; got != id {
		t.Fatalf("schema id %v, want the OASIS one", got)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(id, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(id)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

func TestSARIFValidatesAgainstSchema(t *testing.T) {
	sch := sarifValidator(t)
	weird := sample()[1]
	weird.Path = "odd dir/50%:x#y?.py"
	weird.Related = append(weird.Related, lint.Related{Path: "/abs/elsewhere.py", Location: lint.Position{Row: 2, Column: 3}, End: lint.Position{Row: 2, Column: 9}})
	deletion := sample()[0]
	deletion.Fix = &lint.Fix{Applicability: "safe", Edits: []lint.Edit{{Location: lint.Position{Row: 3, Column: 1}, End: lint.Position{Row: 4, Column: 1}}}}
	unknown := lint.Finding{Code: "XYZ9", Path: "x.py"} // no row, no rule, no name
	for _, tt := range []struct {
		name     string
		findings []lint.Finding
		opts     SARIFOptions
	}{
		{"sample", ciSample(), SARIFOptions{Version: "1.2.3", Rules: testRules(), SrcRoot: "/home/ci/project", Errors: sampleErrors()}},
		{"registry rules", ciSample(), SARIFOptions{Version: "0.1.0-dev", Rules: checks.All()}},
		{"no rules given", ciSample(), SARIFOptions{}},
		{"edge cases", []lint.Finding{weird, deletion, unknown}, SARIFOptions{SrcRoot: `C:\work\proj`}},
		{"clean", nil, SARIFOptions{Rules: checks.All()}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := render(t, func(b *bytes.Buffer) error { return SARIF(b, tt.findings, tt.opts) })
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
			if err != nil {
				t.Fatal(err)
			}
			if err := sch.Validate(inst); err != nil {
				t.Errorf("invalid SARIF: %v\n%s", err, out)
			}
		})
	}
	// The validator does reject what the schema forbids.
	bad := render(t, func(b *bytes.Buffer) error { return SARIF(b, sample(), SARIFOptions{}) })
	bad = bytes.Replace(bad, []byte(`"startLine": 12`), []byte(`"startLine": 0`), 1)
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(bad))
	if err != nil {
		t.Fatal(err)
	}
	if sch.Validate(inst) == nil {
		t.Error("a region with startLine 0 passed the schema")
	}
}

// The SARIF log says what GitHub code scanning reads: the rule index, its
// help, the regions and the fixes.
func TestSARIFContent(t *testing.T) {
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID, Name, HelpURI string
						FullDescription   struct{ Text string }
						Help              struct{ Text, Markdown string }
					}
				}
			}
			Results []struct {
				RuleID    string
				RuleIndex int
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI, URIBaseID string }
						Region           *struct{ StartLine, StartColumn, EndLine, EndColumn int }
					}
				}
				Fixes []struct {
					ArtifactChanges []struct {
						Replacements []struct {
							DeletedRegion   struct{ StartLine, StartColumn, EndLine, EndColumn int }
							InsertedContent struct{ Text string }
						}
					}
				}
			}
		}
	}
	all := checks.All()
	out := render(t, func(b *bytes.Buffer) error { return SARIF(b, ciSample(), SARIFOptions{Rules: all}) })
	if err := json.Unmarshal(out, &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	rules := run.Tool.Driver.Rules
	if len(rules) < len(all) {
		t.Fatalf("%d rules, want at least the %d that ran", len(rules), len(all))
	}
	for _, r := range rules {
		doc := checks.ByCode(r.ID)
		if doc == nil || r.Name != doc.Name || r.HelpURI != doc.URL() || r.Help.Markdown != doc.Markdown() || r.FullDescription.Text == "" {
			t.Errorf("rule %s: %+v", r.ID, r)
		}
	}
	for i, res := range run.Results {
		if rules[res.RuleIndex].ID != res.RuleID {
			t.Errorf("result %d: ruleIndex %d is %s, not %s", i, res.RuleIndex, rules[res.RuleIndex].ID, res.RuleID)
		}
	}
	first := run.Results[0]
	loc := first.Locations[0].PhysicalLocation
	if loc.ArtifactLocation.URI != "jobs/etl.py" || loc.ArtifactLocation.URIBaseID != "%SRCROOT%" || loc.Region == nil ||
		*loc.Region != (struct{ StartLine, StartColumn, EndLine, EndColumn int }{12, 15, 12, 44}) {
		t.Errorf("location %+v", loc)
	}
	reps := first.Fixes[0].ArtifactChanges[0].Replacements
	if len(reps) != 2 || reps[0].DeletedRegion.StartLine != 1 || reps[0].DeletedRegion.EndColumn != 1 || reps[0].InsertedContent.Text != "import operator\n" {
		t.Errorf("replacements %+v", reps)
	}
	if nb := run.Results[4]; nb.Locations[0].PhysicalLocation.Region != nil {
		t.Errorf("notebook finding has a region in the .ipynb file: %+v", nb.Locations[0])
	}
	if abs := run.Results[5].Locations[0].PhysicalLocation.ArtifactLocation; abs.URI != "file:///srv/shared/lib%20jobs/agg.py" || abs.URIBaseID != "" {
		t.Errorf("absolute path: %+v", abs)
	}
}

func TestJUnitGolden(t *testing.T) {
	golden(t, "junit.golden", render(t, func(b *bytes.Buffer) error { return JUnit(b, ciSample()) }))
	golden(t, "junit_clean.golden", render(t, func(b *bytes.Buffer) error { return JUnit(b, nil) }))
	// Well-formed XML, even with control characters in a name.
	f := sample()[0]
	f.Path = "a<b>&\"'\x1b.py"
	f.Message = "]]> <failure> \x00"
	for _, out := range [][]byte{
		render(t, func(b *bytes.Buffer) error { return JUnit(b, append(ciSample(), f)) }),
		render(t, func(b *bytes.Buffer) error { return JUnit(b, nil) }),
	} {
		var doc struct {
			Tests  int `xml:"tests,attr"`
			Suites []struct {
				Name  string `xml:"name,attr"`
				Cases []struct {
					Name    string `xml:"name,attr"`
					Failure *struct {
						Message string `xml:"message,attr"`
					} `xml:"failure"`
				} `xml:"testcase"`
			} `xml:"testsuite"`
		}
		if err := xml.Unmarshal(out, &doc); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if len(doc.Suites) == 0 || len(doc.Suites[0].Cases) == 0 {
			t.Errorf("no test case:\n%s", out)
		}
	}
}

func TestGitLabGolden(t *testing.T) {
	golden(t, "gitlab.golden", render(t, func(b *bytes.Buffer) error { return GitLab(b, ciSample()) }))
	if got := render(t, func(b *bytes.Buffer) error { return GitLab(b, nil) }); string(got) != "[]\n" {
		t.Errorf("clean run: %q", got)
	}
}

func gitlabIssues(t *testing.T, fs []lint.Finding) []gitlabIssue {
	t.Helper()
	var out []gitlabIssue
	if err := json.Unmarshal(render(t, func(b *bytes.Buffer) error { return GitLab(b, fs) }), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// Fingerprints survive lines added above a finding (and a message that
// names a row), and stay unique for identical lines.
func TestGitLabFingerprint(t *testing.T) {
	before := gitlabIssues(t, sample())
	shifted := sample()
	for i := range shifted {
		shifted[i].Location.Row += 5
		shifted[i].End.Row += 5
		shifted[i].Message += " (line 40)"
	}
	after := gitlabIssues(t, shifted)
	for i := range before {
		if before[i].Fingerprint != after[i].Fingerprint {
			t.Errorf("finding %d: fingerprint changed with the row", i)
		}
		if after[i].Location.Lines.Begin != before[i].Location.Lines.Begin+5 {
			t.Errorf("finding %d: lines %+v", i, after[i].Location.Lines)
		}
	}
	twice := sample()[:1]
	twin := twice[0]
	twin.Location.Row, twin.End.Row = 30, 30
	twice = append(twice, twin)
	issues := gitlabIssues(t, twice)
	if issues[0].Fingerprint == issues[1].Fingerprint {
		t.Error("identical lines share a fingerprint")
	}
	moved := sample()[:1]
	moved[0].SourceLine = "other = pairs.groupByKey().mapValues(sum)"
	if gitlabIssues(t, moved)[0].Fingerprint == before[0].Fingerprint {
		t.Error("fingerprint ignores the line's text")
	}
}

func TestJSONLinesGolden(t *testing.T) {
	golden(t, "json_lines.golden", render(t, func(b *bytes.Buffer) error { return JSONLines(b, ciSample()) }))
	if got := render(t, func(b *bytes.Buffer) error { return JSONLines(b, nil) }); len(got) != 0 {
		t.Errorf("clean run: %q", got)
	}
}

// Each line holds the object the JSON output holds at the same index.
func TestJSONLinesMatchesJSON(t *testing.T) {
	fs := ciSample()
	fs = append(fs, lint.Finding{Code: "SPK999", Path: "q\"\\\t\x01\u2028.py", Message: "ctl \b\f\r\n and <tags> & ✓",
		Fix: &lint.Fix{Applicability: "safe", Edits: []lint.Edit{}}})
	var array []any
	if err := json.Unmarshal(render(t, func(b *bytes.Buffer) error { return JSON(b, fs) }), &array); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(render(t, func(b *bytes.Buffer) error { return JSONLines(b, fs) })))
	n := 0
	for ; sc.Scan(); n++ {
		var obj any
		if err := json.Unmarshal(sc.Bytes(), &obj); err != nil {
			t.Fatalf("line %d: %v: %s", n+1, err, sc.Bytes())
		}
		a, _ := json.Marshal(array[n])
		b, _ := json.Marshal(obj)
		if !bytes.Equal(a, b) {
			t.Errorf("line %d:\n%s\nwant\n%s", n+1, b, a)
		}
	}
	if n != len(fs) {
		t.Errorf("%d lines, want %d", n, len(fs))
	}
}

// A writer's error is returned by every format.
func TestWriteErrors(t *testing.T) {
	for name, f := range map[string]func(io.Writer) error{
		"github":     func(w io.Writer) error { return GitHub(w, ciSample()) },
		"sarif":      func(w io.Writer) error { return SARIF(w, ciSample(), SARIFOptions{}) },
		"junit":      func(w io.Writer) error { return JUnit(w, ciSample()) },
		"gitlab":     func(w io.Writer) error { return GitLab(w, ciSample()) },
		"json-lines": func(w io.Writer) error { return JSONLines(w, ciSample()) },
	} {
		if err := f(failWriter{}); err == nil {
			t.Errorf("%s: no error from a failing writer", name)
		}
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, os.ErrClosed }
