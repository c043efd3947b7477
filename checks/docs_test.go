package checks_test

import (
	"os"
	"strings"
	"testing"

	"github.com/sparklint/sparklint/checks"
)

func TestRulesDocUpToDate(t *testing.T) {
	want := checks.DocsMarkdown()
	const path = "../docs/rules.md"
	if os.Getenv("UPDATE_DOCS") != "" {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Error("docs/rules.md is out of date: run UPDATE_DOCS=1 go test ./checks -run TestRulesDoc")
	}
}

func TestEveryRuleIsDocumented(t *testing.T) {
	for _, r := range checks.All() {
		if r.Summary == "" || r.WhatItDoes == "" || r.WhyBad == "" {
			t.Errorf("%s: missing summary, what-it-does or why-bad", r.Code)
		}
		if r.Analyzer != nil && (r.Example == "" || r.UseInstead == "" || r.FixSafety == "") {
			t.Errorf("%s: missing example, use-instead or fix-safety", r.Code)
		}
		if r.Analyzer != nil && len(r.Triggers) == 0 {
			t.Errorf("%s: no prefilter triggers", r.Code)
		}
		md := r.Markdown()
		for _, h := range []string{"## What it does", "## Why is this bad"} {
			if !strings.Contains(md, h) {
				t.Errorf("%s: doc lacks %q", r.Code, h)
			}
		}
	}
	want := []string{"SPK001", "SPK002", "SPK101", "SPK102", "SPK103", "SPK104", "SPK201", "SPK301", "SPK401", "SPK501"}
	var got []string
	for _, r := range checks.All() {
		got = append(got, r.Code)
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("rules = %v, want %v", got, want)
	}
}
