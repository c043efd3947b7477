package lint

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"

	"github.com/sparklint/sparklint/checks"
	"github.com/sparklint/sparklint/checks/settings"
)

// Configuration files.
//
// sparklint reads the [tool.sparklint] table of pyproject.toml and
// sparklint.toml (the same keys at the top level). A pyproject.toml
// without [tool.sparklint] is not a configuration; sparklint.toml beats
// pyproject.toml in the same folder. Each checked file is governed by the
// nearest folder at or above it that holds a configuration: that one
// decides the file's rules, exclusions, per-file-ignores, fixable rules and
// rule options, so files under different configurations run with
// different rules. `extend` inherits from another file: the extending
// file's keys override the inherited ones, except that rule selections
// chain (`select` starts over, `ignore` and `extend-select` adjust what
// the base selected) and `extend-exclude` accumulates. Paths and globs are
// relative to the folder of the file that declares them.
//
// The command line comes last: --select starts the selection over,
// --ignore and --extend-select adjust it, --exclude adds globs, and
// --cache-dir replaces cache-dir. --config PATH uses one file for every
// checked file, without discovery; --isolated reads no configuration.

const (
	sparklintTOML = "sparklint.toml"
	pyprojectTOML = "pyproject.toml"
)

// ConfigError is an error in a configuration file, naming the file and,
// when known, the line. Run stops with it (the CLI exits 2).
type ConfigError struct {
	Path string // absolute
	Line int    // 1-based; 0 when the error is about the whole file
	Msg  string
}

func (e *ConfigError) Error() string {
	p := displayPaths()(e.Path)
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p, e.Line, e.Msg)
	}
	return p + ": " + e.Msg
}

// rawConfig is the decoded form of a configuration table. Unset keys stay
// nil.
type rawConfig struct {
	Select                  []string            `toml:"select"`
	Ignore                  []string            `toml:"ignore"`
	ExtendSelect            []string            `toml:"extend-select"`
	ExtendIgnore            []string            `toml:"extend-ignore"`
	PerFileIgnores          map[string][]string `toml:"per-file-ignores"`
	Exclude                 []string            `toml:"exclude"`
	ExtendExclude           []string            `toml:"extend-exclude"`
	Fixable                 []string            `toml:"fixable"`
	Unfixable               []string            `toml:"unfixable"`
	CacheDir                *string             `toml:"cache-dir"`
	Extend                  *string             `toml:"extend"`
	UnpicklableConstructors []string            `toml:"unpicklable-constructors"`
	ExecutorEntryPoints     []string            `toml:"executor-entry-points"`
	Databricks              any                 `toml:"databricks"`
}

// configKeys are the keys of rawConfig with what their value must be.
var configKeys = map[string]string{
	"select":                   "a list of rule selectors (codes, prefixes or \"ALL\")",
	"ignore":                   "a list of rule selectors",
	"extend-select":            "a list of rule selectors",
	"extend-ignore":            "a list of rule selectors",
	"per-file-ignores":         "a table of glob = [rule selectors]",
	"exclude":                  "a list of globs",
	"extend-exclude":           "a list of globs",
	"fixable":                  "a list of rule selectors",
	"unfixable":                "a list of rule selectors",
	"cache-dir":                "a string (a folder)",
	"extend":                   "a string (the path of another configuration file)",
	"unpicklable-constructors": "a list of dotted names (\"mylib.db.connect\")",
	"executor-entry-points":    "a list of \"NAME:POSITION\" strings",
	"databricks":               "\"auto\", \"on\" or \"off\" (or true/false)",
}

// ruleLayer is one step of a rule selection chain (the defaults, each
// configuration file from the base of an extend chain to the extending
// one, the command line). A layer with a select starts over; one without
// adjusts what the layers before it selected. Within a layer the most
// specific selector decides, ignore winning ties (as SelectRules).
type ruleLayer struct {
	sel    []string
	hasSel bool
	extend []string // extend-select: added to whatever was selected
	ignore []string
}

func (l ruleLayer) empty() bool { return !l.hasSel && len(l.extend) == 0 && len(l.ignore) == 0 }

// resolveLayers applies a selection chain to all.
func resolveLayers(all []*checks.Rule, layers []ruleLayer) []*checks.Rule {
	in := map[string]bool{}
	for _, l := range layers {
		next := map[string]bool{}
		for _, r := range all {
			sel := specificity(l.extend, r.Code)
			if l.hasSel {
				sel = max(sel, specificity(l.sel, r.Code))
			} else if in[r.Code] {
				sel = max(sel, 0)
			}
			if sel >= 0 && sel > specificity(l.ignore, r.Code) {
				next[r.Code] = true
			}
		}
		in = next
	}
	var out []*checks.Rule
	for _, r := range all {
		if in[r.Code] {
			out = append(out, r)
		}
	}
	return out
}

// perFileIgnore drops the findings of some rules in the files a glob
// matches.
type perFileIgnore struct {
	glob  string // as written
	pat   ignorePattern
	codes []string // normalised selectors
}

// matches reports whether the glob matches the file at path (absolute):
// the file itself or a folder holding it, relative to base (a glob
// without "/" matches a name at any depth). A "!glob" matches the files
// the glob does not.
func (p *perFileIgnore) matches(base, path string) bool {
	hit := false
	if rel, ok := relSlash(base, path); ok {
		parts := strings.Split(rel, "/")
		for i := range parts {
			if p.pat.matches(strings.Join(parts[:i+1], "/"), parts[i], i < len(parts)-1) {
				hit = true
				break
			}
		}
	}
	return hit != p.pat.negate
}

func (p *perFileIgnore) drops(code string) bool {
	return specificity(p.codes, code) >= 0
}

// Config is a configuration file with its extend chain resolved.
type Config struct {
	// Path is the file's absolute path; Dir its folder.
	Path, Dir string

	layers    []ruleLayer // select, ignore, extend-select, extend-ignore
	fixLayers []ruleLayer // fixable, unfixable

	// Globs, per-file-ignores and cache-dir are relative to Dir, also
	// when inherited through extend: a shared base configuration applies
	// to each project that extends it.
	exclude       []string
	excludeSet    bool // exclude replaces the default names
	extendExclude []string

	perFileIgnores []perFileIgnore
	pfiSet         bool

	cacheDir string // as written; "" when unset

	unpicklable    []string
	unpicklableSet bool
	entryPoints    []settings.EntryPoint
	entryPointsSet bool
	databricks     settings.Databricks
	databricksSet  bool
}

// Settings returns the rule options of the configuration.
func (c *Config) Settings() *settings.Settings {
	if c == nil || (!c.unpicklableSet && !c.entryPointsSet && !c.databricksSet) {
		return settings.Default
	}
	return &settings.Settings{ExtraUnpicklable: c.unpicklable, ExtraEntryPoints: c.entryPoints, Databricks: c.databricks}
}

// merge returns own on top of base (the configuration own extends).
func merge(base, own *Config) *Config {
	if base == nil {
		return own
	}
	m := *own
	m.layers = append(slices.Clone(base.layers), own.layers...)
	m.fixLayers = append(slices.Clone(base.fixLayers), own.fixLayers...)
	if !own.excludeSet {
		m.exclude, m.excludeSet = base.exclude, base.excludeSet
	}
	m.extendExclude = append(slices.Clone(base.extendExclude), own.extendExclude...)
	if !own.pfiSet {
		m.perFileIgnores, m.pfiSet = base.perFileIgnores, base.pfiSet
	}
	if own.cacheDir == "" {
		m.cacheDir = base.cacheDir
	}
	if !own.unpicklableSet {
		m.unpicklable, m.unpicklableSet = base.unpicklable, base.unpicklableSet
	}
	if !own.entryPointsSet {
		m.entryPoints, m.entryPointsSet = base.entryPoints, base.entryPointsSet
	}
	if !own.databricksSet {
		m.databricks, m.databricksSet = base.databricks, base.databricksSet
	}
	return &m
}

// configLoader reads configuration files, each once.
type configLoader struct {
	all   []*checks.Rule
	files map[string]*Config // absolute path -> configuration; nil: not one
}

func newConfigLoader(all []*checks.Rule) *configLoader {
	return &configLoader{all: all, files: map[string]*Config{}}
}

// LoadConfig reads the configuration file at path (sparklint.toml form,
// or the [tool.sparklint] table of a file named pyproject.toml, empty when
// it has none), following extend. Selectors are checked against all
// (checks.All() when nil).
func LoadConfig(path string, all []*checks.Rule) (*Config, error) {
	if all == nil {
		all = checks.All()
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	return newConfigLoader(all).load(abs, nil, true)
}

// load reads the configuration at path (absolute). stack holds the files
// that extend it, for cycle detection. When required is false, a
// pyproject.toml without [tool.sparklint] gives nil.
func (l *configLoader) load(path string, stack []string, required bool) (*Config, error) {
	path = filepath.Clean(path)
	if resolved, err := filepath.EvalSymlinks(path); err == nil {
		path = resolved
	}
	if c, ok := l.files[path]; ok && (c != nil || !required) {
		return c, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &ConfigError{Path: path, Msg: "cannot read: " + describeIOError(err)}
	}
	raw, pos, err := decodeConfig(path, data)
	if err != nil {
		return nil, err
	}
	memo := true
	if raw == nil {
		if !required {
			l.files[path] = nil
			return nil, nil
		}
		// Named explicitly (--config, extend): empty. Not memoised, so
		// that discovery still sees no configuration in its folder.
		raw, memo = &rawConfig{}, false
	}
	own, err := l.convert(path, raw, pos)
	if err != nil {
		return nil, err
	}
	var base *Config
	if raw.Extend != nil {
		line := pos.line("extend")
		target := expandPath(*raw.Extend, own.Dir)
		if *raw.Extend == "" {
			return nil, &ConfigError{Path: path, Line: line, Msg: "extend: empty path"}
		}
		chain := append(slices.Clone(stack), path)
		t := filepath.Clean(target)
		if resolved, err := filepath.EvalSymlinks(t); err == nil {
			t = resolved
		}
		if i := slices.Index(chain, t); i >= 0 {
			display := displayPaths()
			var names []string
			for _, p := range append(chain[i:], t) {
				names = append(names, display(p))
			}
			return nil, &ConfigError{Path: path, Line: line, Msg: "extend: cycle: " + strings.Join(names, " -> ")}
		}
		if _, err := os.Stat(t); err != nil {
			return nil, &ConfigError{Path: path, Line: line, Msg: fmt.Sprintf("extend: cannot read %q: %s", *raw.Extend, describeIOError(err))}
		}
		base, err = l.load(t, chain, true)
		if err != nil {
			return nil, err
		}
	}
	c := merge(base, own)
	if memo {
		l.files[path] = c
	}
	return c, nil
}

// expandPath resolves a path written in a configuration file in dir: "~/"
// is the home folder, a relative path is relative to dir.
func expandPath(p, dir string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			p = filepath.Join(home, p[1:])
		}
	}
	p = filepath.FromSlash(p)
	if !filepath.IsAbs(p) {
		p = filepath.Join(dir, p)
	}
	return filepath.Clean(p)
}

// tomlPositions maps the keys of a configuration table to their lines.
type tomlPositions struct {
	prefix []string       // ["tool", "sparklint"] in pyproject.toml
	lines  map[string]int // key path (below prefix, "\x00"-joined) -> line
	elems  map[string][]int
}

// line returns the line of a key path below the prefix, or of its nearest
// ancestor that has one; 0 when none has.
func (p *tomlPositions) line(key ...string) int {
	if p == nil {
		return 0
	}
	for n := len(key); n >= 0; n-- {
		if l, ok := p.lines[strings.Join(key[:n], "\x00")]; ok {
			return l
		}
	}
	return 0
}

// elemLine returns the line of the i-th element of the array at key.
func (p *tomlPositions) elemLine(i int, key ...string) int {
	if p != nil {
		if ls := p.elems[strings.Join(key, "\x00")]; i < len(ls) {
			return ls[i]
		}
	}
	return p.line(key...)
}

// scanPositions records the lines of the keys under prefix in data, which
// has been parsed successfully.
func scanPositions(data []byte, prefix []string) *tomlPositions {
	pos := &tomlPositions{prefix: prefix, lines: map[string]int{}, elems: map[string][]int{}}
	var p unstable.Parser
	p.Reset(data)
	lineOf := func(n *unstable.Node) int { return p.Shape(n.Raw).Start.Line }
	record := func(full []string, line int) {
		if len(full) < len(prefix) || !slices.Equal(full[:len(prefix)], prefix) {
			return
		}
		for n := len(prefix); n <= len(full); n++ {
			k := strings.Join(full[len(prefix):n], "\x00")
			if _, ok := pos.lines[k]; !ok {
				pos.lines[k] = line
			}
		}
	}
	keyOf := func(n *unstable.Node) ([]string, int) {
		var parts []string
		line := 0
		for it := n.Key(); it.Next(); {
			k := it.Node()
			if line == 0 {
				line = lineOf(k)
			}
			parts = append(parts, string(k.Data))
		}
		return parts, line
	}
	var keyValue func(table []string, n *unstable.Node)
	keyValue = func(table []string, n *unstable.Node) {
		parts, line := keyOf(n)
		full := append(slices.Clone(table), parts...)
		record(full, line)
		v := n.Value()
		switch v.Kind {
		case unstable.Array:
			if len(full) >= len(prefix) && slices.Equal(full[:len(prefix)], prefix) {
				k := strings.Join(full[len(prefix):], "\x00")
				for it := v.Children(); it.Next(); {
					pos.elems[k] = append(pos.elems[k], lineOf(it.Node()))
				}
			}
		case unstable.InlineTable:
			for it := v.Children(); it.Next(); {
				if it.Node().Kind == unstable.KeyValue {
					keyValue(full, it.Node())
				}
			}
		}
	}
	var table []string
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			var line int
			table, line = keyOf(e)
			record(table, line)
		case unstable.KeyValue:
			keyValue(table, e)
		}
	}
	return pos
}

// decodeConfig decodes a configuration file. It returns a nil rawConfig
// for a pyproject.toml without [tool.sparklint].
func decodeConfig(path string, data []byte) (*rawConfig, *tomlPositions, error) {
	pyproject := filepath.Base(path) == pyprojectTOML
	if pyproject && !bytes.Contains(data, []byte("sparklint")) {
		return nil, nil, nil
	}
	var prefix []string
	var raw *rawConfig
	var target any
	var doc struct {
		Tool struct {
			Sparklint *rawConfig `toml:"sparklint"`
		} `toml:"tool"`
	}
	if pyproject {
		prefix = []string{"tool", "sparklint"}
		target = &doc
	} else {
		raw = &rawConfig{}
		target = raw
	}
	table := "in " + filepath.Base(path)
	if pyproject {
		table = "in [tool.sparklint]"
	}
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(target)
	var strict *toml.StrictMissingError
	var de *toml.DecodeError
	switch {
	case errors.As(err, &strict):
		// Unknown keys elsewhere in pyproject.toml belong to other tools.
		var mine []toml.DecodeError
		for _, e := range strict.Errors {
			if k := e.Key(); len(k) > len(prefix) && slices.Equal(k[:len(prefix)], prefix) {
				mine = append(mine, e)
			}
		}
		if len(mine) > 0 {
			sort.SliceStable(mine, func(i, j int) bool {
				a, _ := mine[i].Position()
				b, _ := mine[j].Position()
				return a < b
			})
			line, _ := mine[0].Position()
			key := mine[0].Key()[len(prefix)]
			msg := fmt.Sprintf("unknown key %q %s", key, table)
			if s := suggestKey(key); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			} else if key == "tool" && !pyproject {
				msg += " (sparklint.toml takes the keys at the top level, without [tool.sparklint])"
			}
			return nil, nil, &ConfigError{Path: path, Line: line, Msg: msg}
		}
	case errors.As(err, &de):
		line, _ := de.Position()
		k := de.Key()
		if len(k) > len(prefix) && slices.Equal(k[:len(prefix)], prefix) {
			key := k[len(prefix)]
			want := configKeys[key]
			if key == "per-file-ignores" && len(k) > len(prefix)+1 {
				return nil, nil, &ConfigError{Path: path, Line: line,
					Msg: fmt.Sprintf("bad value for %q entry %q %s: want a list of rule selectors", key, k[len(prefix)+1], table)}
			}
			if want != "" {
				return nil, nil, &ConfigError{Path: path, Line: line, Msg: fmt.Sprintf("bad value for %q %s: want %s", key, table, want)}
			}
		}
		if pyproject && slices.Equal(k, prefix) {
			return nil, nil, &ConfigError{Path: path, Line: line, Msg: "[tool.sparklint] must be a table"}
		}
		return nil, nil, &ConfigError{Path: path, Line: line, Msg: "invalid TOML: " + strings.TrimPrefix(de.Error(), "toml: ")}
	case err != nil:
		return nil, nil, &ConfigError{Path: path, Msg: "invalid TOML: " + strings.TrimPrefix(err.Error(), "toml: ")}
	}
	if pyproject {
		raw = doc.Tool.Sparklint
		if raw == nil {
			return nil, nil, nil
		}
	}
	return raw, scanPositions(data, prefix), nil
}

// suggestKey returns the known key closest to an unknown one, "" when
// none is close.
func suggestKey(key string) string {
	best, bestD := "", 3
	for k := range configKeys {
		if d := editDistance(key, k); d < bestD || (d == bestD && best != "" && k < best) {
			best, bestD = k, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// convert checks the values of raw (from the file at path) and turns them
// into a Config, without its extend.
func (l *configLoader) convert(path string, raw *rawConfig, pos *tomlPositions) (*Config, error) {
	dir := filepath.Dir(path)
	c := &Config{Path: path, Dir: dir}
	fail := func(line int, format string, args ...any) error {
		return &ConfigError{Path: path, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	selectors := func(key string, list []string) ([]string, error) {
		var out []string
		for i, s := range list {
			for part := range strings.SplitSeq(s, ",") {
				part = strings.ToUpper(strings.TrimSpace(part))
				if part == "" {
					continue
				}
				if !matchesAny(l.all, part) {
					return nil, fail(pos.elemLine(i, key), "%s: unknown rule selector %q (run `sparklint rule --all` for the list)", key, part)
				}
				out = append(out, part)
			}
		}
		return out, nil
	}
	var err error
	var sel ruleLayer
	if sel.sel, err = selectors("select", raw.Select); err != nil {
		return nil, err
	}
	sel.hasSel = raw.Select != nil
	if sel.extend, err = selectors("extend-select", raw.ExtendSelect); err != nil {
		return nil, err
	}
	ign, err := selectors("ignore", raw.Ignore)
	if err != nil {
		return nil, err
	}
	extIgn, err := selectors("extend-ignore", raw.ExtendIgnore)
	if err != nil {
		return nil, err
	}
	sel.ignore = append(slices.Clip(ign), extIgn...)
	if !sel.empty() {
		c.layers = append(c.layers, sel)
	}
	var fix ruleLayer
	if fix.sel, err = selectors("fixable", raw.Fixable); err != nil {
		return nil, err
	}
	fix.hasSel = raw.Fixable != nil
	if fix.ignore, err = selectors("unfixable", raw.Unfixable); err != nil {
		return nil, err
	}
	if !fix.empty() {
		c.fixLayers = append(c.fixLayers, fix)
	}

	globs := func(key string, list []string) ([]string, error) {
		var out []string
		for i, g := range list {
			g = strings.TrimPrefix(filepath.ToSlash(strings.TrimSpace(g)), "./")
			if p, ok := parseIgnoreLine(g); !ok || p.negate {
				return nil, fail(pos.elemLine(i, key), "%s: %q is not a glob to exclude", key, list[i])
			}
			out = append(out, g)
		}
		return out, nil
	}
	if c.exclude, err = globs("exclude", raw.Exclude); err != nil {
		return nil, err
	}
	c.excludeSet = raw.Exclude != nil
	if c.extendExclude, err = globs("extend-exclude", raw.ExtendExclude); err != nil {
		return nil, err
	}

	if raw.PerFileIgnores != nil {
		c.pfiSet = true
		keys := make([]string, 0, len(raw.PerFileIgnores))
		for k := range raw.PerFileIgnores {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			li, lj := pos.line("per-file-ignores", keys[i]), pos.line("per-file-ignores", keys[j])
			if li != lj {
				return li < lj
			}
			return keys[i] < keys[j]
		})
		for _, k := range keys {
			line := pos.line("per-file-ignores", k)
			g := strings.TrimPrefix(filepath.ToSlash(strings.TrimSpace(k)), "./")
			neg := strings.HasPrefix(g, "!")
			p, ok := parseIgnoreLine(strings.TrimPrefix(g, "!"))
			if !ok {
				return nil, fail(line, "per-file-ignores: %q is not a glob", k)
			}
			p.negate = neg
			var codes []string
			for i, s := range raw.PerFileIgnores[k] {
				for part := range strings.SplitSeq(s, ",") {
					part = strings.ToUpper(strings.TrimSpace(part))
					if part == "" {
						continue
					}
					if !matchesAny(l.all, part) {
						return nil, fail(pos.elemLine(i, "per-file-ignores", k), "per-file-ignores: %q: unknown rule selector %q", k, part)
					}
					codes = append(codes, part)
				}
			}
			c.perFileIgnores = append(c.perFileIgnores, perFileIgnore{glob: k, pat: p, codes: codes})
		}
	}

	if raw.CacheDir != nil {
		if strings.TrimSpace(*raw.CacheDir) == "" {
			return nil, fail(pos.line("cache-dir"), "cache-dir: empty path")
		}
		c.cacheDir = *raw.CacheDir
	}

	if raw.UnpicklableConstructors != nil {
		c.unpicklableSet = true
		for i, s := range raw.UnpicklableConstructors {
			s = strings.TrimSpace(s)
			if !dottedName(s) {
				return nil, fail(pos.elemLine(i, "unpicklable-constructors"), "unpicklable-constructors: %q: want a dotted name such as \"mylib.db.connect\"", raw.UnpicklableConstructors[i])
			}
			c.unpicklable = append(c.unpicklable, s)
		}
	}
	if raw.ExecutorEntryPoints != nil {
		c.entryPointsSet = true
		for i, s := range raw.ExecutorEntryPoints {
			ep, err := settings.ParseEntryPoint(strings.TrimSpace(s))
			if err == nil && !dottedName(ep.Name) {
				err = fmt.Errorf("%q: want NAME:POSITION, e.g. jobs.util.run_distributed:1", s)
			}
			if err != nil {
				return nil, fail(pos.elemLine(i, "executor-entry-points"), "executor-entry-points: %v", err)
			}
			c.entryPoints = append(c.entryPoints, ep)
		}
	}
	if raw.Databricks != nil {
		c.databricksSet = true
		bad := func() error {
			return fail(pos.line("databricks"), "bad value for \"databricks\": want %s, got %s", configKeys["databricks"], tomlValue(raw.Databricks))
		}
		switch v := raw.Databricks.(type) {
		case bool:
			c.databricks = settings.DatabricksOff
			if v {
				c.databricks = settings.DatabricksOn
			}
		case string:
			switch strings.ToLower(strings.TrimSpace(v)) {
			case "auto":
				c.databricks = settings.DatabricksAuto
			case "on", "true":
				c.databricks = settings.DatabricksOn
			case "off", "false":
				c.databricks = settings.DatabricksOff
			default:
				return nil, bad()
			}
		default:
			return nil, bad()
		}
	}
	return c, nil
}

// dottedName reports whether s is a dotted Python name ("a.b.c").
func dottedName(s string) bool {
	if s == "" {
		return false
	}
	for part := range strings.SplitSeq(s, ".") {
		if part == "" {
			return false
		}
		for i, r := range part {
			if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9' || r > 127) {
				return false
			}
		}
	}
	return true
}

// tomlValue describes a decoded value for an error message.
func tomlValue(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("%q", v)
	case nil:
		return "nothing"
	case []any:
		return "an array"
	case map[string]any:
		return "a table"
	}
	return fmt.Sprint(v)
}
