package report

import (
	"io"
	neturl "net/url"
	"path/filepath"
	"sort"
	"strings"

	"github.com/sparklint/sparklint/checks"
	"github.com/sparklint/sparklint/lint"
)

// SARIFOptions tune SARIF.
type SARIFOptions struct {
	// Version is sparklint's version, for tool.driver.version.
	Version string
	// Rules are the rules that ran: each gets a reportingDescriptor in
	// tool.driver.rules, findings or not. Rules of findings that are not
	// among them are added from the registry.
	Rules []*checks.Rule
	// SrcRoot is the absolute folder relative paths are relative to (the
	// working folder). When set, the run says so in originalUriBaseIds, so
	// that consumers can resolve %SRCROOT%.
	SrcRoot string
	// Errors are the files that could not be checked: they become
	// tool execution notifications of the invocation.
	Errors []lint.FileError
}

const (
	sarifSchema = "https://json.schemastore.org/sarif-2.1.0.json"
	srcRoot     = "%SRCROOT%"
	homepage    = "https://github.com/sparklint/sparklint"
)

// SARIF writes findings as a SARIF 2.1.0 log (the format GitHub code
// scanning and other static-analysis dashboards read): one run whose tool
// describes every rule (summary, documentation and help URL), one result
// per finding with its region, related locations and fixes.
//
// Relative paths are written as relative URIs against %SRCROOT%,
// absolute ones as file URIs. Columns are Unicode code points (the run's
// columnKind says so) and end columns exclusive, as SARIF defines them.
// A finding in a Jupyter notebook gets no region, since its rows are
// counted within its cell and not in the .ipynb file; the cell and
// position are in the message and in the result's properties.
func SARIF(w io.Writer, findings []lint.Finding, opts SARIFOptions) error {
	rules, index := sarifRules(findings, opts.Rules)
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name: "sparklint", Version: opts.Version, InformationURI: homepage, Rules: rules,
		}},
		Invocations: []sarifInvocation{{ExecutionSuccessful: true, ToolExecutionNotifications: sarifNotifications(opts.Errors)}},
		ColumnKind:  "unicodeCodePoints",
		Results:     make([]sarifResult, 0, len(findings)),
	}
	for _, e := range opts.Errors {
		if e.Internal {
			run.Invocations[0].ExecutionSuccessful = false
		}
	}
	if opts.SrcRoot != "" {
		u := fileURI(opts.SrcRoot)
		if !strings.HasSuffix(u, "/") {
			u += "/"
		}
		run.OriginalURIBaseIDs = map[string]sarifArtifactLocation{srcRoot: {URI: u}}
	}
	for i := range findings {
		run.Results = append(run.Results, sarifResultOf(&findings[i], index))
	}
	return writeJSON(w, sarifLog{Schema: sarifSchema, Version: "2.1.0", Runs: []sarifRun{run}})
}

// sarifRules describes the rules that ran and those of the findings,
// sorted by code, and returns the index of each code among them.
func sarifRules(findings []lint.Finding, ran []*checks.Rule) ([]sarifRule, map[string]int) {
	byCode := map[string]*checks.Rule{}
	for _, r := range ran {
		byCode[r.Code] = r
	}
	names := map[string]string{}
	for i := range findings {
		f := &findings[i]
		if _, ok := byCode[f.Code]; ok {
			continue
		}
		if r := checks.ByCode(f.Code); r != nil {
			byCode[f.Code] = r
		} else {
			byCode[f.Code] = nil
			names[f.Code] = f.Name
		}
	}
	codes := make([]string, 0, len(byCode))
	for c := range byCode {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	out := make([]sarifRule, 0, len(codes))
	index := make(map[string]int, len(codes))
	for i, c := range codes {
		index[c] = i
		r := byCode[c]
		if r == nil {
			// A code the registry does not know: describe what we have.
			out = append(out, sarifRule{ID: c, Name: names[c], DefaultConfiguration: sarifConfiguration{Level: "error"}})
			continue
		}
		full := r.WhatItDoes
		if full == "" {
			full = r.Summary
		}
		out = append(out, sarifRule{
			ID:                   r.Code,
			Name:                 r.Name,
			ShortDescription:     optMessage(r.Summary),
			FullDescription:      optMessage(full),
			Help:                 &sarifMessage{Text: helpText(r), Markdown: r.Markdown()},
			HelpURI:              r.URL(),
			DefaultConfiguration: sarifConfiguration{Level: "error"},
		})
	}
	return out, index
}

// helpText is the plain-text help of a rule: its summary, what it does
// and why it is bad, and where the full documentation is.
func helpText(r *checks.Rule) string {
	parts := []string{r.Code + " " + r.Name}
	for _, s := range []string{r.Summary, r.WhatItDoes, r.WhyBad} {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	parts = append(parts, "Documentation: "+r.URL())
	return strings.Join(parts, "\n\n")
}

func optMessage(s string) *sarifMessage {
	if s == "" {
		return nil
	}
	return &sarifMessage{Text: s}
}

func sarifResultOf(f *lint.Finding, index map[string]int) sarifResult {
	res := sarifResult{
		RuleID:    f.Code,
		RuleIndex: index[f.Code],
		Level:     "error",
		Message:   sarifMessage{Text: cellPrefix(f) + f.Message},
	}
	loc := sarifPhysical{ArtifactLocation: artifactLocation(f.Path)}
	if f.Cell > 0 {
		res.Properties = map[string]any{"cell": f.Cell, "cellStartLine": f.Location.Row, "cellStartColumn": f.Location.Column}
	} else {
		loc.Region = region(f.Location, f.End)
	}
	res.Locations = []sarifLocation{{PhysicalLocation: loc}}
	for i, r := range f.Related {
		res.RelatedLocations = append(res.RelatedLocations, sarifLocation{
			ID:               i + 1,
			PhysicalLocation: sarifPhysical{ArtifactLocation: artifactLocation(r.Path), Region: region(r.Location, r.End)},
			Message:          optMessage(r.Message),
		})
	}
	if f.Fix != nil && len(f.Fix.Edits) > 0 && f.Cell == 0 {
		change := sarifArtifactChange{ArtifactLocation: artifactLocation(f.Path)}
		for _, e := range sortedEdits(f.Fix.Edits) {
			change.Replacements = append(change.Replacements, sarifReplacement{
				DeletedRegion: exactRegion(e.Location, e.End), InsertedContent: &sarifContent{Text: e.Content},
			})
		}
		desc := f.Fix.Message
		if desc == "" {
			desc = "Apply the fix"
		}
		res.Fixes = []sarifFix{{
			Description:     &sarifMessage{Text: desc},
			ArtifactChanges: []sarifArtifactChange{change},
			Properties:      map[string]any{"applicability": f.Fix.Applicability},
		}}
	}
	return res
}

// region is the SARIF region of a reported range, from start to end (end
// column exclusive), or nil when start has no row. An empty or backwards
// range is written as its start alone.
func region(start, end lint.Position) *sarifRegion {
	if start.Row <= 0 {
		return nil
	}
	r := &sarifRegion{StartLine: start.Row, StartColumn: max(start.Column, 1)}
	if end.Row > start.Row || end.Row == start.Row && end.Column > r.StartColumn {
		r.EndLine, r.EndColumn = end.Row, max(end.Column, 1)
	}
	return r
}

// exactRegion is the region an edit replaces: always with its end, since
// a region without endColumn runs to the end of the line. An insertion
// is an empty region (end = start).
func exactRegion(start, end lint.Position) sarifRegion {
	r := sarifRegion{StartLine: max(start.Row, 1), StartColumn: max(start.Column, 1)}
	r.EndLine, r.EndColumn = r.StartLine, r.StartColumn
	if end.Row > r.StartLine || end.Row == r.StartLine && end.Column > r.StartColumn {
		r.EndLine, r.EndColumn = end.Row, max(end.Column, 1)
	}
	return r
}

// artifactLocation is a relative path as a URI reference against
// %SRCROOT%, or an absolute one as a file URI.
func artifactLocation(path string) sarifArtifactLocation {
	if filepath.IsAbs(path) {
		return sarifArtifactLocation{URI: fileURI(path)}
	}
	return sarifArtifactLocation{URI: (&neturl.URL{Path: filepath.ToSlash(path)}).String(), URIBaseID: srcRoot}
}

// fileURI is the file: URI of an absolute path (a Windows drive letter
// gets a leading slash: file:///C:/x).
func fileURI(path string) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return (&neturl.URL{Scheme: "file", Path: p}).String()
}

func sarifNotifications(errs []lint.FileError) []sarifNotification {
	var out []sarifNotification
	for _, e := range errs {
		level := "warning"
		if e.Internal {
			level = "error"
		}
		out = append(out, sarifNotification{
			Level:     level,
			Message:   sarifMessage{Text: e.Message},
			Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{ArtifactLocation: artifactLocation(e.Path)}}},
		})
	}
	return out
}

// The SARIF 2.1.0 objects sparklint writes, fields in the order the
// specification lists them.
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool               sarifTool                        `json:"tool"`
		Invocations        []sarifInvocation                `json:"invocations"`
		OriginalURIBaseIDs map[string]sarifArtifactLocation `json:"originalUriBaseIds,omitempty"`
		ColumnKind         string                           `json:"columnKind"`
		Results            []sarifResult                    `json:"results"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		Version        string      `json:"version,omitempty"`
		InformationURI string      `json:"informationUri"`
		Rules          []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID                   string             `json:"id"`
		Name                 string             `json:"name,omitempty"`
		ShortDescription     *sarifMessage      `json:"shortDescription,omitempty"`
		FullDescription      *sarifMessage      `json:"fullDescription,omitempty"`
		Help                 *sarifMessage      `json:"help,omitempty"`
		HelpURI              string             `json:"helpUri,omitempty"`
		DefaultConfiguration sarifConfiguration `json:"defaultConfiguration"`
	}
	sarifConfiguration struct {
		Level string `json:"level"`
	}
	sarifMessage struct {
		Text     string `json:"text"`
		Markdown string `json:"markdown,omitempty"`
	}
	sarifInvocation struct {
		ExecutionSuccessful        bool                `json:"executionSuccessful"`
		ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
	}
	sarifNotification struct {
		Level     string          `json:"level"`
		Message   sarifMessage    `json:"message"`
		Locations []sarifLocation `json:"locations,omitempty"`
	}
	sarifResult struct {
		RuleID           string          `json:"ruleId"`
		RuleIndex        int             `json:"ruleIndex"`
		Level            string          `json:"level"`
		Message          sarifMessage    `json:"message"`
		Locations        []sarifLocation `json:"locations"`
		RelatedLocations []sarifLocation `json:"relatedLocations,omitempty"`
		Fixes            []sarifFix      `json:"fixes,omitempty"`
		Properties       map[string]any  `json:"properties,omitempty"`
	}
	sarifLocation struct {
		ID               int           `json:"id,omitempty"`
		PhysicalLocation sarifPhysical `json:"physicalLocation"`
		Message          *sarifMessage `json:"message,omitempty"`
	}
	sarifPhysical struct {
		ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
		Region           *sarifRegion          `json:"region,omitempty"`
	}
	sarifArtifactLocation struct {
		URI       string `json:"uri"`
		URIBaseID string `json:"uriBaseId,omitempty"`
	}
	sarifRegion struct {
		StartLine   int `json:"startLine"`
		StartColumn int `json:"startColumn,omitempty"`
		EndLine     int `json:"endLine,omitempty"`
		EndColumn   int `json:"endColumn,omitempty"`
	}
	sarifFix struct {
		Description     *sarifMessage         `json:"description,omitempty"`
		ArtifactChanges []sarifArtifactChange `json:"artifactChanges"`
		Properties      map[string]any        `json:"properties,omitempty"`
	}
	sarifArtifactChange struct {
		ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
		Replacements     []sarifReplacement    `json:"replacements"`
	}
	sarifReplacement struct {
		DeletedRegion   sarifRegion   `json:"deletedRegion"`
		InsertedContent *sarifContent `json:"insertedContent,omitempty"`
	}
	sarifContent struct {
		Text string `json:"text"`
	}
)
