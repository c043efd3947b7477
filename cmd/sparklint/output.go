package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/sparklint/sparklint/lint"
	"github.com/sparklint/sparklint/report"
)

// outputFormats are the values of --output-format.
var outputFormats = []string{"text", "concise", "json", "json-lines", "github", "gitlab", "junit", "sarif"}

// outputFormatHelp is the help of --output-format.
const outputFormatHelp = "output format: text, concise, json (Ruff's JSON), json-lines, " +
	"github (GitHub Actions annotations), gitlab (GitLab Code Quality), junit (JUnit XML) or sarif (SARIF 2.1.0)"

// checkOutputFormat rejects an unknown --output-format.
func checkOutputFormat(format string) error {
	for _, f := range outputFormats {
		if format == f {
			return nil
		}
	}
	return fmt.Errorf("invalid --output-format %q: want one of %s", format, strings.Join(outputFormats, ", "))
}

// writeCIFormat writes the findings of res in one of the machine formats
// that have no statistics variant (all but text, concise and json).
func writeCIFormat(w io.Writer, res *lint.Result, format string) error {
	switch format {
	case "json-lines":
		return report.JSONLines(w, res.Findings)
	case "github":
		return report.GitHub(w, res.Findings)
	case "gitlab":
		return report.GitLab(w, res.Findings)
	case "junit":
		return report.JUnit(w, res.Findings)
	case "sarif":
		wd, _ := os.Getwd()
		return report.SARIF(w, res.Findings, report.SARIFOptions{
			Version: version, Rules: res.Rules, SrcRoot: wd, Errors: res.Errors})
	}
	return fmt.Errorf("unknown output format %q", format)
}

// atomicFile is the --output-file: the report is written to a temporary
// file beside it, which replaces it only when the whole report has been
// written, so that a reader (or a failed run) never sees half a report.
type atomicFile struct {
	f    *os.File
	path string
	err  error
}

func createAtomic(path string) (*atomicFile, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, err
	}
	return &atomicFile{f: f, path: path}, nil
}

func (a *atomicFile) Write(p []byte) (int, error) {
	n, err := a.f.Write(p)
	if err != nil && a.err == nil {
		a.err = err
	}
	return n, err
}

// commit moves the report into place; after an error it removes the
// temporary file and leaves the old report alone.
func (a *atomicFile) commit() error {
	err := a.err
	if err == nil {
		err = a.f.Chmod(0o644)
	}
	if err == nil {
		err = a.f.Sync()
	}
	if cerr := a.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(a.f.Name(), a.path)
	}
	if err != nil {
		_ = os.Remove(a.f.Name())
		var pe *os.PathError
		if errors.As(err, &pe) && pe.Path == a.f.Name() {
			err = pe.Err
		}
		return fmt.Errorf("writing %s: %w", a.path, err)
	}
	return nil
}

// discard removes the temporary file (the report was not written).
func (a *atomicFile) discard() {
	_ = a.f.Close()
	_ = os.Remove(a.f.Name())
}
