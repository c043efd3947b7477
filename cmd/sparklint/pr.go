package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/sparklint/sparklint/lint"
	"github.com/sparklint/sparklint/report"
)

// prFlags are the check flags for pull requests and editing sessions:
// changed-code mode, baselines, fix diffs and listings, and watch mode.
// (--diff-base, --baseline and --diff are lint.Options fields.)
type prFlags struct {
	writeBaseline string
	showFixes     bool
	watch         bool
}

// Watch timing; tests shorten it (zero: lint.Watch's defaults).
var watchInterval, watchDebounce time.Duration

func (p *prFlags) register(cmd *cobra.Command, opts *lint.Options) {
	f := cmd.Flags()
	f.StringVar(&opts.DiffBase, "diff-base", "", "report only findings on lines added or changed since `REV` (its merge base with HEAD), and in untracked files")
	f.StringVar(&opts.Baseline, "baseline", "", "report only findings not recorded in the baseline `FILE`")
	f.StringVar(&p.writeBaseline, "write-baseline", "", "record the current findings in `FILE` as the baseline, then exit 0")
	f.BoolVar(&opts.Diff, "diff", false, "print the fixes (--unsafe-fixes: those too) as a unified diff instead of writing them; exit 1 when there are changes")
	f.BoolVar(&p.showFixes, "show-fixes", false, "after the report, list the fixes applied (without --fix: available) per file and rule")
	f.BoolVar(&p.watch, "watch", false, "check again whenever a Python file, notebook or configuration file changes (Ctrl-C to stop)")
}

// validate checks the combinations of flags and adjusts opts.
func (p *prFlags) validate(opts *lint.Options) error {
	switch {
	case opts.Diff && opts.AddNoqa:
		return errors.New("--diff cannot be combined with --add-noqa")
	case opts.Diff && p.writeBaseline != "":
		return errors.New("--diff cannot be combined with --write-baseline")
	case p.watch && p.writeBaseline != "":
		return errors.New("--watch cannot be combined with --write-baseline")
	case p.watch && opts.AddNoqa:
		return errors.New("--watch cannot be combined with --add-noqa")
	}
	if p.writeBaseline != "" {
		// The baseline records every current finding.
		opts.Baseline = ""
	}
	return nil
}

// handle writes the output of the runs that do not print the usual
// report: --write-baseline and --diff. It returns false for the others.
func (p *prFlags) handle(res *lint.Result, opts lint.Options, status *int, stdout, stderr io.Writer) bool {
	switch {
	case p.writeBaseline != "":
		*status = p.baselineOutput(res, stderr)
		return true
	case opts.Diff:
		*status = p.diffOutput(res, opts, stdout, stderr)
		return true
	}
	return false
}

// runNotes writes the warnings and the files that could not be checked.
func runNotes(res *lint.Result, stderr io.Writer) {
	color := report.ColorEnabled(stderr)
	for _, w := range res.Warnings {
		_ = report.Warning(stderr, w, color)
	}
	_ = report.Errors(stderr, res.Errors, color)
}

// baselineOutput writes the baseline of --write-baseline: status 0, or 2
// when it cannot be written or the run had an internal error (the
// baseline would be incomplete).
func (p *prFlags) baselineOutput(res *lint.Result, stderr io.Writer) int {
	runNotes(res, stderr)
	n, err := lint.WriteBaseline(p.writeBaseline, res.Findings)
	if err != nil {
		fmt.Fprintf(stderr, "sparklint: error: %v\n", err)
		return exitError
	}
	fmt.Fprintf(stderr, "Wrote %d %s to the baseline %s.\n", n, plural(n, "finding", "findings"), p.writeBaseline)
	if res.Internal {
		return exitError
	}
	return exitClean
}

// diffOutput writes the diff of --diff on standard output and a summary
// on standard error: status 1 when fixes would change files, 0 when not,
// 2 for an internal error.
func (p *prFlags) diffOutput(res *lint.Result, opts lint.Options, stdout, stderr io.Writer) int {
	runNotes(res, stderr)
	for _, c := range res.Changes {
		if _, err := io.WriteString(stdout, lint.UnifiedDiff(c.Path, c.Before, c.After)); err != nil {
			fmt.Fprintf(stderr, "sparklint: error: writing the diff: %v\n", err)
			return exitError
		}
	}
	if p.showFixes {
		_ = report.ShowFixes(stderr, report.FixesWouldFix, report.FixesOf(res.Changes), ruleNames(res), report.ColorEnabled(stderr))
	} else if res.Fixed > 0 {
		fmt.Fprintf(stderr, "Would fix %d %s.\n", res.Fixed, plural(res.Fixed, "error", "errors"))
	} else {
		fmt.Fprintln(stderr, "No errors would be fixed.")
	}
	switch {
	case res.Internal:
		return exitError
	case len(res.Changes) > 0:
		return exitFindings
	}
	return exitClean
}

// afterReport lists the fixes for --show-fixes once the report is
// written: on standard output after a text report, else on standard
// error (so as not to break a machine-readable report).
func (p *prFlags) afterReport(res *lint.Result, opts lint.Options, format string, toFile bool, stdout, stderr io.Writer) {
	if !p.showFixes || p.writeBaseline != "" || opts.Diff || opts.AddNoqa {
		return
	}
	w := stderr
	if !toFile && (format == "text" || format == "concise") {
		w = stdout
	}
	color := report.ColorEnabled(w)
	_, _ = io.WriteString(w, "\n")
	if opts.Fix {
		_ = report.ShowFixes(w, report.FixesApplied, report.FixesOf(res.Changes), ruleNames(res), color)
		return
	}
	_ = report.ShowFixes(w, report.FixesAvailable, report.AvailableFixes(res.Findings, opts.UnsafeFixes), ruleNames(res), color)
}

func ruleNames(res *lint.Result) func(string) string {
	names := map[string]string{}
	for _, r := range res.Rules {
		names[r.Code] = r.Name
	}
	return func(code string) string { return names[code] }
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// watchLoop runs check again on every change until Ctrl-C (status 0). A
// usage or configuration error in the first run ends it with that error;
// later ones are reported and the watch goes on.
func (p *prFlags) watchLoop(ctx context.Context, opts lint.Options, output func(*lint.Result), stdout, stderr io.Writer) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	tty := isTerminal(stdout)
	first := true
	var firstErr error
	wopts := lint.WatchOptions{Paths: opts.Paths, Exclude: opts.Exclude, Interval: watchInterval, Debounce: watchDebounce}
	if opts.Config != "" {
		wopts.Files = append(wopts.Files, opts.Config)
	}
	err := lint.Watch(ctx, wopts, func() []string {
		if tty {
			_, _ = io.WriteString(stdout, "\x1b[H\x1b[2J\x1b[3J") // clear the screen
		}
		msg := "File change detected..."
		if first {
			msg = "Starting linter in watch mode..."
		}
		fmt.Fprintf(stdout, "[%s] %s\n", time.Now().Format("15:04:05"), msg)
		res, err := lint.Run(opts)
		if err != nil {
			if first {
				firstErr = err
				stop()
				return nil
			}
			fmt.Fprintf(stderr, "sparklint: error: %v\n", err)
			return nil
		}
		first = false
		output(res)
		fmt.Fprintf(stdout, "[%s] Watching for file changes.\n", time.Now().Format("15:04:05"))
		if opts.Diff {
			return nil
		}
		var written []string
		for _, c := range res.Changes {
			written = append(written, c.Path)
		}
		return written
	})
	if firstErr != nil {
		return firstErr
	}
	return err
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
