package lint

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"syscall"

	"github.com/sourcegraph/conc/iter"
	"github.com/sparklint/sparklint/checks"
)

// Options configure one run of the linter.
type Options struct {
	// Paths are the files and folders to check; default ".".
	Paths []string
	// IgnoreNoqa makes noqa comments suppress nothing (and turns SPK002
	// off): to see everything that is suppressed.
	IgnoreNoqa bool
	// Select and Ignore are rule selectors (codes, prefixes such as
	// "SPK1", or "ALL"); each element may be comma-separated. An empty
	// Select selects every rule.
	Select, Ignore []string
	// ExtendSelect adds rule selectors to what the configuration selects
	// (Select replaces it; Ignore adjusts it).
	ExtendSelect []string
	// Config is a configuration file used for every file, without
	// discovery; Isolated reads no configuration file (see config.go).
	Config   string
	Isolated bool
	// Exclude adds globs to DefaultExclude: a glob without "/" is matched
	// against file and folder names, one with "/" against the path
	// relative to the project root (gitignore syntax, "**" included).
	// Explicitly named files are checked even when excluded.
	Exclude []string
	// NoCache turns the result cache off (neither read nor written).
	NoCache bool
	// CacheDir is the cache folder; default .sparklint_cache under the
	// project root.
	CacheDir string
	// Fix applies the safe fixes of the findings and reports what remains.
	Fix bool
	// UnsafeFixes lets Fix apply unsafe fixes too (fixes that may change
	// behaviour at the edges, as a rule's Fix safety section explains).
	UnsafeFixes bool
	// AddNoqa adds a "# noqa: CODES" directive for every finding (after
	// Fix, when both are set) and reports what remains; see addnoqa.go.
	// Excluded files are never written, even when named explicitly.
	AddNoqa bool
	// ForceExclude applies the exclusions (default names, configuration,
	// Exclude, .gitignore) to the paths named explicitly too, as
	// pre-commit needs.
	ForceExclude bool
	// Jobs bounds the files checked at once; default GOMAXPROCS.
	Jobs int
	// Version is the sparklint version, part of the cache key.
	Version string
	// Rules is the set Select and Ignore choose from; default checks.All().
	Rules []*checks.Rule
	// Diff computes the fixes as Fix does but writes nothing: the files
	// they would change are in Result.Changes (see overlay.go).
	Diff bool
	// DiffBase reports only findings on lines added or changed since the
	// merge base of this git revision and HEAD, and in untracked files
	// (see diffbase.go).
	DiffBase string
	// Baseline is a baseline file (WriteBaseline): findings it records
	// are not reported (see baseline.go).
	Baseline string
}

// Result is the outcome of a run.
type Result struct {
	// Findings are sorted by path, row, column and code; their paths (and
	// those of Errors) are relative to the working folder when inside it.
	Findings []Finding
	Errors   []FileError
	// Files is the number of files checked, FilesParsed how many of them
	// were parsed (the others were rejected by the prefilter or served
	// from the cache), FilesCached how many came from the cache.
	Files, FilesParsed, FilesCached int
	// Lines is the number of lines in the files checked.
	Lines int
	// Fixed is the number of fixes applied (with Options.Fix).
	Fixed int
	// NoqaAdded is the number of noqa directives added or extended (with
	// Options.AddNoqa).
	NoqaAdded int
	// Internal is true when an error was a failure of sparklint itself.
	Internal bool
	// Root is the project root; Rules the rules that ran.
	Root  string
	Rules []*checks.Rule
	// Warnings are run-wide notes for the user (the cache is unusable...).
	Warnings []string
	// Changes are the files fixes changed (Options.Fix) or would change
	// (Options.Diff), sorted by path.
	Changes []FileChange
}

// engine holds the state of one run.
type engine struct {
	opts    Options
	root    string
	rules   []*checks.Rule
	checker *Checker
	cache   *resultCache
	// conf gives each file its checker, cache, rule options and
	// exclusions (config.go); checker is that of the files without
	// configuration and cache the first cache in use: nil turns caching
	// off for every file.
	conf *configs
	jobs int
	// vis hides findings (and fixes) in excluded files.
	vis *visibility
	// overlay holds the content fixes changed, not written yet; scope
	// the findings reported (--diff-base, --baseline; nil: all).
	overlay map[string]*overlayFile
	scope   *scope
}

// fileOutcome is what the run knows about one checked file.
type fileOutcome struct {
	path   string // absolute
	hash   string // content hash; "" when not computed (prefiltered, unreadable)
	res    FileResult
	cached bool
}

// Run checks the files under opts.Paths. Its error is a usage or
// configuration problem (a path that does not exist, an unknown rule
// selector); problems with single files are in Result.Errors.
func Run(opts Options) (*Result, error) {
	if len(opts.Paths) == 0 {
		opts.Paths = []string{"."}
	}
	all := opts.Rules
	if all == nil {
		all = checks.All()
	}
	e := &engine{opts: opts, root: FindRoot(opts.Paths[0]), jobs: opts.Jobs}
	// The command line's selectors and --config (config.go).
	rules, err := e.configure(all)
	if err != nil {
		return nil, err
	}
	if e.jobs <= 0 {
		e.jobs = runtime.GOMAXPROCS(0)
	}
	ex := newExcluder(e.root, opts.Exclude)
	ex.force = opts.ForceExclude
	ex.scoped = e.conf.scopedExcluders // each folder's configuration decides
	disc, err := discover(opts.Paths, ex)
	if err != nil {
		return nil, err
	}
	e.vis = newVisibility(ex, disc)
	if err := e.openScope(); err != nil {
		return nil, err
	}
	res := &Result{Root: e.root, Rules: rules, Files: len(disc.files)}
	// Each file's configuration, and a cache per checker group.
	res.Warnings = append(res.Warnings, e.conf.prepare(disc.files, opts.Version)...)
	if err := e.conf.failed(); err != nil {
		return nil, err
	}
	res.Rules, e.cache = e.conf.rulesUsed(), e.conf.firstCache()
	if err := e.newChecker(); err != nil {
		return nil, err
	}
	outcomes := make([]fileOutcome, len(disc.files))
	e.checkFiles(disc.files, outcomes)
	if err := e.conf.failed(); err != nil {
		return nil, err
	}

	var fixErrors []FileError
	if opts.Fix || opts.Diff {
		res.Fixed, fixErrors = e.fix(outcomes)
		// Write the fixed files (or, with Diff, only collect them).
		fixErrors = append(fixErrors, e.finishFixes(outcomes, res)...)
	}
	if opts.AddNoqa {
		var warns []string
		var noqaErrors []FileError
		res.NoqaAdded, warns, noqaErrors = e.addNoqa(outcomes)
		res.Warnings = append(res.Warnings, warns...)
		fixErrors = append(fixErrors, noqaErrors...)
	}

	errs := append([]FileError(nil), disc.errors...)
	for i := range outcomes {
		o := &outcomes[i]
		for _, f := range o.res.Findings {
			// A finding in a helper module that is excluded (by name,
			// --exclude or .gitignore) is not reported.
			if !e.vis.hidden(f.Path) {
				res.Findings = append(res.Findings, f)
			}
		}
		errs = append(errs, o.res.Errors...)
		res.Lines += o.res.Lines
		if o.cached {
			res.FilesCached++
		} else if o.res.Parsed {
			res.FilesParsed++
		}
	}
	errs = append(errs, fixErrors...)
	display := displayPaths()
	for i := range res.Findings {
		f := &res.Findings[i]
		f.Path = display(f.Path)
		if len(f.Related) > 0 {
			rel := append([]Related(nil), f.Related...)
			for j := range rel {
				rel[j].Path = display(rel[j].Path)
			}
			f.Related = rel
		}
	}
	// A helper module shipped from several files is reported by each of
	// them: sort, then drop the repeats.
	sortFindings(res.Findings)
	res.Findings = dedupe(res.Findings)
	res.Findings = e.scope.filter(res.Findings, e.overlay) // --diff-base, --baseline
	for i := range errs {
		errs[i].Path = display(errs[i].Path)
		res.Internal = res.Internal || errs[i].Internal
	}
	res.Errors = dedupeErrors(errs)
	return res, nil
}

// newChecker starts a fresh project (its parse cache must not outlive the
// file contents it parsed) and a checker over it for each group of files
// with the same rules and rule options (config.go).
func (e *engine) newChecker() error {
	c, err := e.conf.newCheckers()
	if err != nil {
		return err
	}
	e.checker = c
	e.seedOverlay()
	return nil
}

// checkFiles checks paths in parallel, writing outcomes[i] for paths[i].
func (e *engine) checkFiles(paths []string, outcomes []fileOutcome) {
	it := iter.Iterator[string]{MaxGoroutines: e.jobs}
	it.ForEachIdx(paths, func(i int, p *string) {
		outcomes[i] = e.checkOne(*p)
	})
}

// checkOne reads, hashes and checks one file, through the cache. Files the
// prefilter rejects cost a read and a scan: they are neither hashed nor
// looked up, since checking them is cheaper than a cache lookup.
func (e *engine) checkOne(path string) (out fileOutcome) {
	out.path = path
	defer func() {
		if r := recover(); r != nil {
			out.res.Errors = append(out.res.Errors, FileError{Path: path, Internal: true,
				Message: fmt.Sprintf("internal error: panic while checking: %v", r)})
		}
	}()
	src, err := e.source(path) // fixed content not written yet, or the file's
	if err != nil {
		out.res.Errors = []FileError{{Path: path, Message: err.Error()}}
		return out
	}
	// The checker and cache of the file's configuration; findings its
	// per-file-ignores (or another file's configuration) drop go after the
	// cache, which holds what the checker found.
	checker, cache := e.conf.checkerFor(path)
	if e.cache == nil {
		cache = nil
	}
	if validateShape(src) == nil && !checker.Wanted(path, src) {
		// What CheckFile returns for a file the prefilter rejects, without
		// running the prefilter a second time.
		out.res = FileResult{Lines: lineCount(src)}
		return out
	}
	out.hash = contentHash(src)
	cache.noteHash(path, out.hash)
	if res, ok := cache.lookup(path, out.hash); ok {
		out.res, out.cached = res, true
		out.res.Findings = e.conf.filter(out.res.Findings)
		return out
	}
	out.res = checker.CheckFile(path, src)
	cache.store(path, out.hash, out.res)
	out.res.Findings = e.conf.filter(out.res.Findings)
	return out
}

// errTooLarge is returned by readSource for files over the size limit.
type errTooLarge struct{ size int64 }

func (e *errTooLarge) Error() string {
	return fmt.Sprintf("file is %d bytes, more than the %d MB limit: not checked", e.size, maxFileSize>>20)
}

// readSource reads a file to check, refusing what is not a regular file
// and files over the size limit (without reading them). Discovery only
// hands over regular files, so the open cannot block on a FIFO.
func readSource(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, readError(path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, readError(path, err)
	}
	if st.IsDir() {
		return nil, errors.New("cannot read: is a directory")
	}
	if !st.Mode().IsRegular() {
		return nil, errors.New("cannot read: not a regular file")
	}
	if st.Size() > maxFileSize {
		return nil, &errTooLarge{st.Size()}
	}
	// One spare byte lets the read see EOF without growing the buffer.
	src := make([]byte, 0, st.Size()+1)
	for {
		n, err := f.Read(src[len(src):cap(src)])
		src = src[:len(src)+n]
		if err == io.EOF {
			return src, nil
		}
		if err != nil {
			return nil, readError(path, err)
		}
		if len(src) == cap(src) {
			if len(src) > maxFileSize {
				// The file grew after the Stat.
				return nil, &errTooLarge{int64(len(src))}
			}
			src = append(src, 0)[:len(src)]
		}
	}
}

func readError(path string, err error) error {
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ELOOP) {
		if st, lerr := os.Lstat(path); lerr == nil && st.Mode()&fs.ModeSymlink != 0 {
			return errors.New(linkError(err))
		}
	}
	return errors.New("cannot read: " + describeIOError(err))
}

// displayPaths returns the function that turns absolute paths into the
// ones users see: relative to the working folder when inside it, as Ruff
// prints them.
func displayPaths() func(string) string {
	cwd, err := os.Getwd()
	if err != nil {
		return func(p string) string { return p }
	}
	return func(p string) string {
		if !filepath.IsAbs(p) {
			if abs, err := filepath.Abs(p); err == nil {
				p = abs
			}
		}
		if rel, ok := relSlash(cwd, p); ok {
			return filepath.FromSlash(rel)
		}
		return p
	}
}

// dedupeErrors sorts errors by path and drops exact repeats.
func dedupeErrors(errs []FileError) []FileError {
	sort.SliceStable(errs, func(i, j int) bool {
		if errs[i].Path != errs[j].Path {
			return errs[i].Path < errs[j].Path
		}
		return errs[i].Message < errs[j].Message
	})
	out := errs[:0]
	for i, e := range errs {
		if i > 0 && out[len(out)-1] == e {
			continue
		}
		out = append(out, e)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// lineCount counts lines as CheckFile does: a last line without a line
// break counts.
func lineCount(src []byte) int {
	n := bytes.Count(src, []byte{'\n'})
	if len(src) > 0 && src[len(src)-1] != '\n' {
		n++
	}
	return n
}
