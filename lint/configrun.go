package lint

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sparklint/sparklint/checks"
	"github.com/sparklint/sparklint/checks/settings"
)

// How a run applies configuration files (read by config.go): each folder's
// governing configuration with the command line on top makes a profile;
// profiles with the same rules, rule options and cache folder share a
// checker and a cache (a checkGroup); all checkers share one project, so
// a module is parsed once whatever configurations import it.

// profile is the effective configuration of the files one configuration
// governs (or of the files no configuration governs): the configuration
// with the command line on top.
type profile struct {
	cfg   *Config // nil: no configuration
	rules []*checks.Rule
	codes map[string]bool
	// fixable is the set of rules whose fixes are offered.
	fixable  map[string]bool
	settings *settings.Settings
	// excluders decide what a walk skips in the folders this profile
	// governs; nil: the run's excluder (defaults and --exclude).
	excluders []*excluder
	pfi       []perFileIgnore
	cacheDir  string
	group     *checkGroup
}

// checkGroup is a checker (and its cache) shared by the profiles with the
// same rules, rule options and cache folder.
type checkGroup struct {
	key      string
	rules    []*checks.Rule
	settings *settings.Settings
	cacheDir string
	checker  *Checker
	cache    *resultCache
	opened   bool
}

// configs is the configuration state of a run.
type configs struct {
	mu     sync.Mutex
	opts   Options
	root   string
	all    []*checks.Rule
	loader *configLoader
	cli    ruleLayer
	// explicit is the --config file; isolated ignores configuration.
	explicit *Config
	isolated bool

	profiles map[*Config]*profile // nil key: no configuration
	dirs     map[string]*Config   // folder -> governing configuration
	groups   map[string]*checkGroup
	order    []*checkGroup        // groups in creation order
	used     map[*checkGroup]bool // groups of the files checked
	project  *Project
	err      error // the first configuration error
	// parallel makes the checkers Parallel and CellFixes (a language
	// server session).
	parallel bool
}

// configure reads the configuration of a run: the command line's
// selectors, and --config. It sets e.conf and returns the rules of the
// files no configuration governs.
func (e *engine) configure(all []*checks.Rule) ([]*checks.Rule, error) {
	opts := e.opts
	cs := &configs{opts: opts, root: e.root, all: all, loader: newConfigLoader(all),
		profiles: map[*Config]*profile{}, dirs: map[string]*Config{}, groups: map[string]*checkGroup{}}
	var err error
	norm := func(list []string, what string) []string {
		if err != nil {
			return nil
		}
		var out []string
		for _, s := range list {
			for part := range strings.SplitSeq(s, ",") {
				part = strings.ToUpper(strings.TrimSpace(part))
				if part == "" {
					continue
				}
				if !matchesAny(all, part) {
					err = fmt.Errorf("--%s: unknown rule selector %q (run `sparklint rule --all` for the list)", what, part)
					return nil
				}
				out = append(out, part)
			}
		}
		return out
	}
	cs.cli.sel = norm(opts.Select, "select")
	cs.cli.hasSel = len(cs.cli.sel) > 0
	cs.cli.ignore = norm(opts.Ignore, "ignore")
	cs.cli.extend = norm(opts.ExtendSelect, "extend-select")
	if err != nil {
		return nil, err
	}
	switch {
	case opts.Isolated && opts.Config != "":
		return nil, errors.New("--config and --isolated cannot be used together")
	case opts.Isolated:
		cs.isolated = true
	case opts.Config != "":
		abs, err := filepath.Abs(opts.Config)
		if err != nil {
			return nil, err
		}
		if st, err := os.Stat(abs); err != nil || st.IsDir() {
			msg := "not a file"
			if err != nil {
				msg = describeIOError(err)
			}
			return nil, fmt.Errorf("--config %s: %s", opts.Config, msg)
		}
		if cs.explicit, err = cs.loader.load(abs, nil, true); err != nil {
			return nil, err
		}
	}
	e.conf = cs
	p := cs.profileOf(cs.explicit)
	e.rules = p.rules
	return p.rules, nil
}

// governing returns the configuration governing the files of dir
// (absolute): the nearest sparklint.toml, or pyproject.toml with
// [tool.sparklint], at or above it. cs.mu must be held.
func (cs *configs) governing(dir string) (*Config, error) {
	if cs.isolated {
		return nil, nil
	}
	if cs.explicit != nil {
		return cs.explicit, nil
	}
	var walked []string
	var found *Config
	for d := dir; ; d = filepath.Dir(d) {
		if c, ok := cs.dirs[d]; ok {
			found = c
			break
		}
		walked = append(walked, d)
		c, err := cs.configIn(d)
		if err != nil {
			return nil, err
		}
		if c != nil {
			found = c
			break
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	for _, d := range walked {
		cs.dirs[d] = found
	}
	return found, nil
}

// configIn returns the configuration file of folder d, nil when it has
// none.
func (cs *configs) configIn(d string) (*Config, error) {
	for _, name := range []string{sparklintTOML, pyprojectTOML} {
		p := filepath.Join(d, name)
		st, err := os.Stat(p)
		if err != nil || st.IsDir() {
			if err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, fs.ErrPermission) {
				return nil, &ConfigError{Path: p, Msg: "cannot read: " + describeIOError(err)}
			}
			continue
		}
		c, err := cs.loader.load(p, nil, name == sparklintTOML)
		if err != nil || c != nil {
			return c, err
		}
	}
	return nil, nil
}

// profileOf returns the profile of the files cfg governs. cs.mu must be
// held.
func (cs *configs) profileOf(cfg *Config) *profile {
	if p, ok := cs.profiles[cfg]; ok {
		return p
	}
	layers := []ruleLayer{{sel: []string{"ALL"}, hasSel: true}}
	fixLayers := []ruleLayer{{sel: []string{"ALL"}, hasSel: true}}
	if cfg != nil {
		layers = append(layers, cfg.layers...)
		fixLayers = append(fixLayers, cfg.fixLayers...)
	}
	layers = append(layers, cs.cli)
	p := &profile{cfg: cfg, rules: resolveLayers(cs.all, layers), codes: map[string]bool{}, fixable: map[string]bool{},
		settings: cfg.Settings()}
	for _, r := range p.rules {
		p.codes[r.Code] = true
	}
	for _, r := range resolveLayers(cs.all, fixLayers) {
		p.fixable[r.Code] = true
	}
	if cfg != nil {
		p.pfi = cfg.perFileIgnores
		p.excluders = []*excluder{}
		if !cfg.excludeSet {
			p.excluders = append(p.excluders, newExcluder(cs.root, nil))
		}
		if globs := append(slices.Clone(cfg.exclude), cfg.extendExclude...); len(globs) > 0 {
			ex := newExcluder(cfg.Dir, globs)
			ex.names = nil
			p.excluders = append(p.excluders, ex)
		}
		if len(cs.opts.Exclude) > 0 {
			ex := newExcluder(cs.root, cs.opts.Exclude)
			ex.names = nil
			p.excluders = append(p.excluders, ex)
		}
	}
	switch {
	case cs.opts.CacheDir != "":
		p.cacheDir = cs.opts.CacheDir
		if abs, err := filepath.Abs(p.cacheDir); err == nil {
			p.cacheDir = abs
		}
	case cfg != nil && cfg.cacheDir != "":
		p.cacheDir = expandPath(cfg.cacheDir, cfg.Dir)
	default:
		p.cacheDir = filepath.Join(cs.root, ".sparklint_cache")
	}
	codes := make([]string, len(p.rules))
	for i, r := range p.rules {
		codes[i] = r.Code
	}
	key := strings.Join(codes, ",") + "\x00" + settingsKey(p.settings) + "\x00" + p.cacheDir
	g := cs.groups[key]
	if g == nil {
		g = &checkGroup{key: key, rules: p.rules, settings: p.settings, cacheDir: p.cacheDir}
		cs.groups[key] = g
		cs.order = append(cs.order, g)
	}
	p.group = g
	cs.profiles[cfg] = p
	return p
}

// settingsKey identifies rule options, for sharing checkers and for the
// cache key ("" for the defaults).
func settingsKey(s *settings.Settings) string {
	if s == nil || reflect.DeepEqual(*s, settings.Settings{}) {
		return ""
	}
	return fmt.Sprintf("%q %v %d", s.ExtraUnpicklable, s.ExtraEntryPoints, s.Databricks)
}

// profileForDir returns the profile of the files in dir (absolute). A
// configuration error is recorded (see failed) and the defaults used.
func (cs *configs) profileForDir(dir string) *profile {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cfg, err := cs.governing(dir)
	if err != nil && cs.err == nil {
		cs.err = err
	}
	return cs.profileOf(cfg)
}

// profileFor returns the profile of the file at path (absolute).
func (cs *configs) profileFor(path string) *profile {
	return cs.profileForDir(filepath.Dir(path))
}

// failed returns the first configuration error met.
func (cs *configs) failed() error {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return cs.err
}

// scopedExcluders is the excluder hook: the exclusions of the
// configuration that governs dir, nil for the run's own.
func (cs *configs) scopedExcluders(dir string) []*excluder {
	return cs.profileForDir(dir).excluders
}

// prepare resolves the profiles of the files to check and opens the cache
// of each checker group (unless NoCache). It returns the warnings of
// opening the caches.
func (cs *configs) prepare(files []string, version string) []string {
	used := map[*checkGroup]bool{}
	for _, f := range files {
		used[cs.profileFor(f).group] = true
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.used = used
	if cs.opts.NoCache {
		return nil
	}
	if version == "" {
		version = "dev"
	}
	// Opening a cache prunes the stale folders of the others: mark every
	// folder in use first.
	keys := map[*checkGroup]string{}
	now := time.Now()
	for _, g := range cs.order {
		if !used[g] {
			continue
		}
		codes := make([]string, len(g.rules))
		for i, r := range g.rules {
			codes[i] = r.Code
		}
		if cs.opts.IgnoreNoqa {
			codes = append(codes, "ignore-noqa") // suppressions change results
		}
		if s := settingsKey(g.settings); s != "" {
			// Part of the key like the rules (a hashed list).
			codes = append(codes, "options "+s)
		}
		keys[g] = cacheKey(version, cs.root, codes)
		_ = os.Chtimes(filepath.Join(g.cacheDir, keys[g]), now, now)
	}
	var warnings []string
	for _, g := range cs.order {
		if g.opened || !used[g] {
			continue
		}
		var warn string
		g.cache, warn = openCache(g.cacheDir, keys[g], g.rules)
		g.opened = true
		if warn != "" && !slices.Contains(warnings, warn) {
			warnings = append(warnings, warn)
		}
	}
	return warnings
}

// newCheckers starts a fresh project (its parse cache must not outlive
// the file contents it parsed), shared by a new checker for each group.
// The caches forget the hashes they memoised.
func (cs *configs) newCheckers() (*Checker, error) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.project = NewProject(cs.root)
	for _, g := range cs.order {
		if err := cs.newChecker(g); err != nil {
			return nil, err
		}
		g.cache.forget()
	}
	return cs.profileOf(cs.explicit).group.checker, nil
}

func (cs *configs) newChecker(g *checkGroup) error {
	c, err := NewChecker(cs.project, g.rules)
	if err != nil {
		return fmt.Errorf("internal error: invalid rule set: %w", err)
	}
	c.Settings = g.settings
	c.IgnoreNoqa = cs.opts.IgnoreNoqa
	c.Parallel = cs.parallel
	c.CellFixes = cs.parallel
	g.checker = c
	return nil
}

// checkerFor returns the checker and the cache of the file at path.
func (cs *configs) checkerFor(path string) (*Checker, *resultCache) {
	p := cs.profileFor(path)
	cs.mu.Lock()
	defer cs.mu.Unlock()
	g := p.group
	if g.checker == nil || g.checker.Project != cs.project {
		// A group no file was prepared for.
		if cs.project == nil {
			cs.project = NewProject(cs.root)
		}
		if err := cs.newChecker(g); err != nil {
			if cs.err == nil {
				cs.err = err
			}
			g = cs.profileOf(cs.explicit).group
		}
	}
	return g.checker, g.cache
}

// firstCache returns the cache of the first group of files checked, nil
// when caching is off.
func (cs *configs) firstCache() *resultCache {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	for _, g := range cs.order {
		if cs.used[g] && g.cache != nil {
			return g.cache
		}
	}
	return nil
}

// filter applies the configuration of each finding's file to the
// findings of one file: rules that configuration does not select and
// per-file-ignores drop findings; unfixable rules lose their fix.
func (cs *configs) filter(fs []Finding) []Finding {
	if len(fs) == 0 {
		return fs
	}
	out := make([]Finding, 0, len(fs))
	for _, f := range fs {
		p := cs.profileFor(absPathOf(f.Path))
		if !p.codes[f.Code] {
			continue
		}
		dropped := false
		for i := range p.pfi {
			if p.pfi[i].drops(f.Code) && p.pfi[i].matches(p.cfg.Dir, absPathOf(f.Path)) {
				dropped = true
				break
			}
		}
		if dropped {
			continue
		}
		if f.Fix != nil && !p.fixable[f.Code] {
			f.Fix = nil
		}
		out = append(out, f)
	}
	return out
}

// rulesUsed returns the rules that ran: those of the files checked, in
// catalogue order.
func (cs *configs) rulesUsed() []*checks.Rule {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	in := map[string]bool{}
	for _, g := range cs.order {
		if !cs.used[g] {
			continue
		}
		for _, r := range g.rules {
			in[r.Code] = true
		}
	}
	var out []*checks.Rule
	for _, r := range cs.all {
		if in[r.Code] {
			out = append(out, r)
		}
	}
	return out
}

func absPathOf(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}
