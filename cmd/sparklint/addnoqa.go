package main

import (
	"fmt"
	"io"

	"github.com/sparklint/sparklint/lint"
	"github.com/sparklint/sparklint/report"
)

// addNoqaOutput reports a `check --add-noqa` run: warnings and files that
// could not be checked or edited on standard error, then "Added N noqa
// directives." on standard output. The status is 0 (the findings are now
// suppressed, or were left alone with a warning), 2 for an internal error.
func addNoqaOutput(res *lint.Result, stdout, stderr io.Writer) int {
	errColor := report.ColorEnabled(stderr)
	for _, w := range res.Warnings {
		_ = report.Warning(stderr, w, errColor)
	}
	_ = report.Errors(stderr, res.Errors, errColor)
	if res.Files == 0 && len(res.Errors) == 0 {
		_ = report.Warning(stderr, "No Python files found under the given path(s)", errColor)
	}
	noun := "directives"
	if res.NoqaAdded == 1 {
		noun = "directive"
	}
	if _, err := fmt.Fprintf(stdout, "Added %d noqa %s.\n", res.NoqaAdded, noun); err != nil {
		fmt.Fprintf(stderr, "sparklint: error: writing the report: %v\n", err)
		return exitError
	}
	if res.Internal {
		return exitError
	}
	return exitClean
}
