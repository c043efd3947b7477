package report

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strconv"
	"strings"

	"github.com/sparklint/sparklint/lint"
)

// GitLab writes findings as a GitLab Code Quality report (a subset of
// the Code Climate format): a JSON array of issues with a description,
// the rule as check_name, a fingerprint, a severity and the location
// (path and first and last line). Every finding is "major": sparklint's
// rules flag code that is wrong or fails on a cluster, not style.
//
// The fingerprint is what GitLab uses to tell new issues from fixed ones
// between a merge request and its target branch. It is a hash of the
// path, the rule and the text of the finding's first line (trimmed), not
// of its row or message (which may name other rows), so it survives
// lines added above the finding; the n-th of several findings of a rule
// on identical lines of one file gets n in the hash too, so that each
// fingerprint is unique within the report.
//
// A finding in a Jupyter notebook is reported on line 1 of the notebook,
// its cell and position at the start of the description.
func GitLab(w io.Writer, findings []lint.Finding) error {
	issues := make([]gitlabIssue, 0, len(findings))
	seen := map[string]int{}
	for i := range findings {
		f := &findings[i]
		begin, end := f.Location.Row, f.End.Row
		if f.Cell > 0 || begin <= 0 {
			begin, end = 1, 1
		}
		if end < begin {
			end = begin
		}
		key := f.Path + "\x00" + f.Code + "\x00" + strings.TrimSpace(f.SourceLine)
		n := seen[key]
		seen[key]++
		if n > 0 {
			key += "\x00" + strconv.Itoa(n)
		}
		sum := sha256.Sum256([]byte(key))
		issues = append(issues, gitlabIssue{
			Description: f.Code + " " + f.Name + ": " + cellPrefix(f) + f.Message,
			CheckName:   f.Code,
			Fingerprint: hex.EncodeToString(sum[:16]),
			Severity:    "major",
			Location:    gitlabLocation{Path: f.Path, Lines: gitlabLines{Begin: begin, End: end}},
		})
	}
	return writeJSON(w, issues)
}

type (
	gitlabIssue struct {
		Description string         `json:"description"`
		CheckName   string         `json:"check_name"`
		Fingerprint string         `json:"fingerprint"`
		Severity    string         `json:"severity"`
		Location    gitlabLocation `json:"location"`
	}
	gitlabLocation struct {
		Path  string      `json:"path"`
		Lines gitlabLines `json:"lines"`
	}
	gitlabLines struct {
		Begin int `json:"begin"`
		End   int `json:"end"`
	}
)
