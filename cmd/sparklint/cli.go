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
	root.AddCommand(newCheckCmd(stdout, stderr, status), newRuleCmd(stdout), newVersionCmd(stdout), newLSPCmd(stderr, status))
	return root
}

const checkLong = `Check Python files for PySpark problems.

PATHS are files and folders (default: the current folder). Folders are
searched for *.py files and Jupyter notebooks (*.ipynb), skipping the
names in the default exclude list (.git, .venv, venv, __pycache__,
node_modules, build, dist, .tox, ...),
anything matched by --exclude, and whatever .gitignore files (and
.git/info/exclude) ignore. Files named explicitly are always checked,
unless --force-exclude is given.

The project root is the nearest folder with pyproject.toml, setup.py,
setup.cfg or .git; without one, the current folder (for paths inside it).
Imports of project modules are resolved from it, and findings in modules
that are excluded are not reported (nor fixed). Results are cached in
.sparklint_cache under the project root, keyed by file content; unchanged
files are not checked again.

Configuration comes from [tool.sparklint] in pyproject.toml or from
sparklint.toml (same keys, no prefix; it wins in the same folder): each
file follows the nearest one at or above its folder. Command-line flags
override it (--select replaces its select; --ignore, --extend-select and
--exclude add to it). --config PATH uses one file for everything;
--isolated ignores configuration files. A bad configuration is an error
naming the file, line and key (exit status 2).

Exit status:
  0  no findings
  1  findings (after --fix: findings that remain; with --diff: fixes
     that would change files)
  2  usage or configuration error, or an internal error of sparklint
     (--diff-base outside a git repository or with an unknown revision)

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
	var outputFile string // --output-file
	var pr prFlags        // pull requests and editing sessions (pr.go)
	cmd := &cobra.Command{
		Use:   "check [PATHS...]",
		Short: "Check files for PySpark problems",
		Long:  checkLong,
		Example: `  sparklint check
  sparklint check src/ jobs/etl.py
  sparklint check --select SPK1 --ignore SPK104
  sparklint check --output-format json > findings.json
  sparklint check --output-format sarif --output-file sparklint.sarif
  sparklint check --fix`,
		RunE: func(c *cobra.Command, args []string) error {
			if err := checkOutputFormat(format); err != nil {
				return usageError{err: err, cmd: c.CommandPath()}
			}
			if opts.Jobs < 0 {
				return usageError{err: fmt.Errorf("invalid --jobs %d: want 1 or more (0: one per CPU)", opts.Jobs), cmd: c.CommandPath()}
			}
			if opts.Config != "" && opts.Isolated {
				return usageError{err: errors.New("--config and --isolated cannot be used together"), cmd: c.CommandPath()}
			}
			opts.Paths = args
			opts.Version = version
			// --diff-base, --baseline, --write-baseline, --diff, --show-fixes, --watch: pr.go.
			if err := pr.validate(&opts); err != nil {
				return usageError{err: err, cmd: c.CommandPath()}
			}
			if pr.watch { // until Ctrl-C, which exits 0
				err := pr.watchLoop(c.Context(), opts, func(res *lint.Result) {
					if !pr.handle(res, opts, status, stdout, stderr) {
						checkOutput(res, format, statistics, opts.UnsafeFixes, stdout, stderr)
						pr.afterReport(res, opts, format, false, stdout, stderr)
					}
				}, stdout, stderr)
				*status = exitClean
				return err
			}
			res, err := lint.Run(opts)
			if err != nil {
				return err
			}
			if pr.handle(res, opts, status, stdout, stderr) {
				return nil
			}
			defer pr.afterReport(res, opts, format, outputFile != "", stdout, stderr)
			if opts.AddNoqa {
				*status = addNoqaOutput(res, stdout, stderr)
				return nil
			}
			if outputFile == "" {
				*status = checkOutput(res, format, statistics, opts.UnsafeFixes, stdout, stderr)
				return nil
			}
			// --output-file: the report replaces the file once complete.
			out, err := createAtomic(outputFile)
			if err != nil {
				return fmt.Errorf("--output-file: %w", err)
			}
			if *status = checkOutput(res, format, statistics, opts.UnsafeFixes, out, stderr); *status == exitError && out.err != nil {
				out.discard()
				return nil
			}
			if err := out.commit(); err != nil {
				*status = exitError
				return err
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&opts.Select, "select", nil, "rules to enable: codes or prefixes (SPK201, SPK1, ALL), replacing the configuration's select; comma-separated, repeatable")
	f.StringSliceVar(&opts.Ignore, "ignore", nil, "rules to disable: codes or prefixes, on top of the configuration; comma-separated, repeatable")
	f.StringSliceVar(&opts.ExtendSelect, "extend-select", nil, "rules to enable on top of the configuration's select; comma-separated, repeatable")
	f.StringSliceVar(&opts.Exclude, "exclude", nil, "globs of files and folders to skip, besides the defaults, the configuration's and .gitignore; comma-separated, repeatable")
	f.StringVar(&opts.Config, "config", "", "use this configuration file (sparklint.toml, or pyproject.toml's [tool.sparklint]) for every file, instead of the nearest one")
	f.BoolVar(&opts.Isolated, "isolated", false, "ignore all configuration files")
	f.StringVar(&format, "output-format", "text", outputFormatHelp)
	f.StringVarP(&outputFile, "output-file", "o", "", "write the report to this file (replaced when complete) instead of standard output")
	f.BoolVar(&opts.Fix, "fix", false, "apply safe fixes, then report what remains")
	f.BoolVar(&opts.UnsafeFixes, "unsafe-fixes", false, "with --fix or --diff, apply unsafe fixes too; without them, show them as available")
	pr.register(cmd, &opts)
	f.BoolVar(&opts.IgnoreNoqa, "ignore-noqa", false, "report findings even where a noqa comment suppresses them")
	f.BoolVar(&opts.AddNoqa, "add-noqa", false, "add a \"# noqa: CODE\" comment for every finding (to adopt sparklint in an existing code base), then exit 0")
	f.BoolVar(&opts.ForceExclude, "force-exclude", false, "apply the exclusions (defaults, configuration, --exclude, .gitignore) to paths named on the command line too (for pre-commit)")
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
	case format != "text" && format != "concise":
		err = writeCIFormat(stdout, res, format)
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
