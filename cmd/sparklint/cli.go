package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sparklint/sparklint/checks"
	"github.com/sparklint/sparklint/lint"
	"github.com/sparklint/sparklint/report"
)

// Exit statuses, as Ruff uses them.
const (
	exitClean    = 0 // no findings
	exitFindings = 1 // findings remain
	exitError    = 2 // usage or configuration error, or an internal error
)

// run executes the command line args and returns the exit status. It is
// main without the process: tests call it with their own streams.
func run(args []string, stdout, stderr io.Writer) int {
	status := exitClean
	root := newRootCmd(stdout, stderr, &status)
	root.SetArgs(args)
	if err := root.Execute(); err != nil {
		fmt.Fprintf(stderr, "sparklint: error: %v\n", err)
		var u usageError
		switch {
		case errors.As(err, &u):
			fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", u.cmd)
		case strings.HasPrefix(err.Error(), "unknown command"):
			fmt.Fprintln(stderr, "Run 'sparklint --help' for usage.")
		}
		return exitError
	}
	return status
}

// usageError is a bad command line; the message is followed by a pointer
// to --help.
type usageError struct {
	err error
	cmd string
}

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

func newRootCmd(stdout, stderr io.Writer, status *int) *cobra.Command {
	root := &cobra.Command{
		Use:   "sparklint",
		Short: "A linter for PySpark code",
		Long: `sparklint finds PySpark code that is slow, fails on the cluster, or silently
computes the wrong thing: driver state mutated on executors, Spark handles
and unpicklable objects captured by executor code, groupByKey, unbounded
collect, streaming state without a watermark, and more.

Run 'sparklint check' in a project, and 'sparklint rule CODE' to read about
a rule.`,
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
		// With no subcommand, print help. (Cobra's default argument check
		// turns an unknown subcommand into an error with suggestions.)
		RunE: func(c *cobra.Command, _ []string) error { return c.Help() },
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetVersionTemplate("sparklint {{.Version}}\n")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError{err: err, cmd: c.CommandPath()}
	})
	root.CompletionOptions.DisableDefaultCmd = true
	root.AddCommand(newCheckCmd(stdout, stderr, status), newRuleCmd(stdout), newVersionCmd(stdout))
	return root
}

const checkLong = `Check Python files for PySpark problems.

PATHS are files and folders (default: the current folder). Folders are
searched for *.py files and Jupyter notebooks (*.ipynb), skipping the
names in the default exclude list (.git, .venv, venv, __pycache__,
node_modules, build, dist, .tox, ...),
anything matched by --exclude, and whatever .gitignore files (and
.git/info/exclude) ignore. Files named explicitly are always checked.

The project root is the nearest folder with pyproject.toml, setup.py,
setup.cfg or .git; without one, the current folder (for paths inside it).
Imports of project modules are resolved from it, and findings in modules
that are excluded are not reported (nor fixed). Results are cached in
.sparklint_cache under the project root, keyed by file content; unchanged
files are not checked again.

Exit status:
  0  no findings
  1  findings (after --fix: findings that remain)
  2  usage or configuration error, or an internal error of sparklint

A file that cannot be checked (unreadable, binary, invalid UTF-8, over
10 MB, nested too deeply) is reported on standard error as
"sparklint: PATH: MESSAGE" and the run goes on; such a file alone does not
change the exit status. Internal errors (a crash in a rule) are marked
"internal error" and make the status 2.`

func newCheckCmd(stdout, stderr io.Writer, status *int) *cobra.Command {
	var (
		opts       lint.Options
		format     string
		statistics bool
	)
	cmd := &cobra.Command{
		Use:   "check [PATHS...]",
		Short: "Check files for PySpark problems",
		Long:  checkLong,
		Example: `  sparklint check
  sparklint check src/ jobs/etl.py
  sparklint check --select SPK1 --ignore SPK104
  sparklint check --output-format json > findings.json
  sparklint check --fix`,
		RunE: func(c *cobra.Command, args []string) error {
			switch format {
			case "text", "concise", "json":
			default:
				return usageError{err: fmt.Errorf("invalid --output-format %q: want text, concise or json", format), cmd: c.CommandPath()}
			}
			if opts.Jobs < 0 {
				return usageError{err: fmt.Errorf("invalid --jobs %d: want 1 or more (0: one per CPU)", opts.Jobs), cmd: c.CommandPath()}
			}
			opts.Paths = args
			opts.Version = version
			res, err := lint.Run(opts)
			if err != nil {
				return err
			}
			*status = checkOutput(res, format, statistics, opts.UnsafeFixes, stdout, stderr)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&opts.Select, "select", nil, "rules to enable: codes or prefixes (SPK201, SPK1, ALL); comma-separated, repeatable")
	f.StringSliceVar(&opts.Ignore, "ignore", nil, "rules to disable: codes or prefixes; comma-separated, repeatable")
	f.StringSliceVar(&opts.Exclude, "exclude", nil, "globs of files and folders to skip, besides the defaults and .gitignore; comma-separated, repeatable")
	f.StringVar(&format, "output-format", "text", "output format: text, concise or json (Ruff's JSON)")
	f.BoolVar(&opts.Fix, "fix", false, "apply safe fixes, then report what remains")
	f.BoolVar(&opts.UnsafeFixes, "unsafe-fixes", false, "with --fix, apply unsafe fixes too; without it, show them as available")
	f.BoolVar(&opts.NoCache, "no-cache", false, "neither read nor write the result cache")
	f.StringVar(&opts.CacheDir, "cache-dir", "", "cache folder (default .sparklint_cache under the project root)")
	f.BoolVar(&statistics, "statistics", false, "print the number of findings per rule instead of the findings ([*] all fixable, [-] some, [ ] none)")
	f.IntVarP(&opts.Jobs, "jobs", "j", 0, "files checked in parallel (default: one per CPU)")
	return cmd
}

// checkOutput writes the result of a check run and returns the exit status.
func checkOutput(res *lint.Result, format string, statistics, unsafe bool, stdout, stderr io.Writer) int {
	errColor := report.ColorEnabled(stderr)
	for _, w := range res.Warnings {
		_ = report.Warning(stderr, w, errColor)
	}
	_ = report.Errors(stderr, res.Errors, errColor)
	if res.Files == 0 && len(res.Errors) == 0 {
		_ = report.Warning(stderr, "No Python files found under the given path(s)", errColor)
	}
	var err error
	switch {
	case statistics && format == "json":
		err = report.StatisticsJSON(stdout, res.Findings, unsafe)
	case statistics:
		err = report.Statistics(stdout, res.Findings, unsafe)
	case format == "json":
		err = report.JSON(stdout, res.Findings)
	default:
		err = report.Text(stdout, res.Findings, res.Errors, report.TextOptions{
			Color: report.ColorEnabled(stdout), Concise: format == "concise", Fixed: res.Fixed, UnsafeFixes: unsafe})
	}
	switch {
	case err != nil:
		fmt.Fprintf(stderr, "sparklint: error: writing the report: %v\n", err)
		return exitError
	case res.Internal:
		return exitError
	case len(res.Findings) > 0:
		return exitFindings
	}
	return exitClean
}

func newRuleCmd(stdout io.Writer) *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "rule CODE | --all",
		Short: "Explain a rule",
		Long:  "Print the documentation of a rule (what it flags, why, an example and the fix), or of every rule with --all.",
		RunE: func(c *cobra.Command, args []string) error {
			switch {
			case all && len(args) > 0:
				return usageError{err: errors.New("give a rule code or --all, not both"), cmd: c.CommandPath()}
			case all:
				var docs []string
				for _, r := range checks.All() {
					docs = append(docs, r.Markdown())
				}
				_, err := io.WriteString(stdout, strings.Join(docs, "\n"))
				return err
			case len(args) != 1:
				return usageError{err: errors.New("give one rule code (e.g. SPK201), or --all"), cmd: c.CommandPath()}
			}
			r := checks.ByCode(strings.TrimSpace(args[0]))
			if r == nil {
				return fmt.Errorf("unknown rule code %q (run 'sparklint rule --all' for the list)", args[0])
			}
			_, err := io.WriteString(stdout, r.Markdown())
			return err
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "explain every rule")
	return cmd
}

func newVersionCmd(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the sparklint version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintf(stdout, "sparklint %s\n", version)
			return err
		},
	}
}
