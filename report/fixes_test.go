package report

import (
	"bytes"
	"testing"

	"github.com/sparklint/sparklint/lint"
)

func TestShowFixes(t *testing.T) {
	names := func(code string) string {
		return map[string]string{"SPK201": "group-by-key", "SPK401": "udf-replaceable-by-builtin"}[code]
	}
	files := []FileFixes{
		{Path: "jobs/etl.py", Counts: map[string]int{"SPK401": 1, "SPK201": 12, "SPK999": 1}},
		{Path: "b.py", Counts: map[string]int{}},
		{Path: "a\x1b.py", Counts: map[string]int{"SPK201": 1}},
	}
	var b bytes.Buffer
	if err := ShowFixes(&b, FixesApplied, files, names, false); err != nil {
		t.Fatal(err)
	}
	want := `Fixed 15 errors:
- jobs/etl.py:
    12 × SPK201 (group-by-key)
     1 × SPK401 (udf-replaceable-by-builtin)
     1 × SPK999
- a\x1b.py:
     1 × SPK201 (group-by-key)
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	for kind, want := range map[FixListing]string{FixesApplied: "No errors fixed.\n", FixesWouldFix: "No errors would be fixed.\n", FixesAvailable: "No fixes available.\n"} {
		b.Reset()
		_ = ShowFixes(&b, kind, nil, names, false)
		if b.String() != want {
			t.Errorf("%d: %q", kind, b.String())
		}
	}
}

func TestAvailableFixes(t *testing.T) {
	safe := &lint.Fix{Applicability: "safe", Edits: []lint.Edit{{}}}
	unsafe := &lint.Fix{Applicability: "unsafe", Edits: []lint.Edit{{}}}
	fs := []lint.Finding{
		{Path: "b.py", Code: "SPK201", Fix: safe},
		{Path: "a.py", Code: "SPK401", Fix: unsafe},
		{Path: "a.py", Code: "SPK201", Fix: safe},
		{Path: "a.py", Code: "SPK301"},
	}
	got := AvailableFixes(fs, false)
	if len(got) != 2 || got[0].Path != "a.py" || got[0].Counts["SPK201"] != 1 || got[0].Counts["SPK401"] != 0 || got[1].Path != "b.py" {
		t.Errorf("safe only: %+v", got)
	}
	if got := AvailableFixes(fs, true); got[0].Counts["SPK401"] != 1 {
		t.Errorf("with unsafe: %+v", got)
	}
	changes := []lint.FileChange{{Path: "x.py", Fixes: map[string]int{"SPK201": 2}}, {Path: "y.py"}}
	if got := FixesOf(changes); len(got) != 1 || got[0].Path != "x.py" {
		t.Errorf("FixesOf: %+v", got)
	}
}
