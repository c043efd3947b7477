package lint

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file implements the pattern language of gitignore(5), which file
// discovery honours (.gitignore in every folder, .git/info/exclude) and
// which --exclude reuses for its globs. It is written here rather than
// imported because the Go gitignore packages either pull in a whole git
// implementation (go-git) or get the precedence and "**" rules subtly
// wrong; the semantics are small enough to own and test.

// ignorePattern is one line of a .gitignore file.
type ignorePattern struct {
	glob     string // the pattern, without "!", leading "/" or trailing "/"
	negate   bool   // "!pattern" re-includes
	dirOnly  bool   // "pattern/" matches directories only
	anchored bool   // a "/" at the start or in the middle: relative to the file's folder
	// literal is set when glob has no wildcard, to compare without matching.
	literal bool
	// suffix is set for the common "*.ext" form (glob minus the star).
	suffix string
}

// ignoreFile is the patterns of one .gitignore file (or of
// .git/info/exclude followed by the root .gitignore), applying to the paths
// under base.
type ignoreFile struct {
	base     string // absolute folder, in OS form
	patterns []ignorePattern
}

// parseIgnore parses the content of a .gitignore file.
func parseIgnore(data []byte) []ignorePattern {
	var out []ignorePattern
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	for len(data) > 0 {
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		if p, ok := parseIgnoreLine(string(bytes.TrimSuffix(line, []byte{'\r'}))); ok {
			out = append(out, p)
		}
	}
	return out
}

// parseIgnoreLine parses one pattern line; ok is false for blank lines and
// comments.
func parseIgnoreLine(line string) (ignorePattern, bool) {
	// Trailing spaces are ignored unless escaped with a backslash.
	for strings.HasSuffix(line, " ") && !strings.HasSuffix(line, `\ `) {
		line = line[:len(line)-1]
	}
	if line == "" || line[0] == '#' {
		return ignorePattern{}, false
	}
	var p ignorePattern
	switch {
	case line[0] == '!':
		p.negate = true
		line = line[1:]
	case strings.HasPrefix(line, `\!`), strings.HasPrefix(line, `\#`):
		line = line[1:]
	}
	if strings.HasSuffix(line, "/") {
		p.dirOnly = true
		line = strings.TrimRight(line, "/")
	}
	if line == "" {
		return ignorePattern{}, false
	}
	if strings.Contains(line, "/") {
		p.anchored = true
		line = strings.TrimPrefix(line, "/")
	}
	p.glob = line
	p.compileFastPaths()
	return p, true
}

func (p *ignorePattern) compileFastPaths() {
	if !strings.ContainsAny(p.glob, `*?[\`) {
		p.literal = true
	} else if strings.HasPrefix(p.glob, "*") && !strings.ContainsAny(p.glob[1:], `*?[\/`) {
		p.suffix = p.glob[1:]
	}
}

// matches reports whether the pattern matches rel, the slash-separated path
// relative to the ignore file's folder, whose last element is name.
//
// An unanchored pattern is matched against the name alone: git matches it
// at any depth, but discovery never descends into an ignored folder, so by
// the time a path is tested its parents have already been tested.
func (p *ignorePattern) matches(rel, name string, isDir bool) bool {
	if p.dirOnly && !isDir {
		return false
	}
	subject := name
	if p.anchored {
		subject = rel
	}
	switch {
	case p.literal:
		return subject == p.glob
	case p.suffix != "":
		return strings.HasSuffix(subject, p.suffix) && !strings.Contains(subject, "/")
	}
	return wildmatch(p.glob, subject)
}

// match returns whether the file decides about rel: matched is true when
// some pattern matched, ignored whether the last one that did excludes it.
func (f *ignoreFile) match(rel, name string, isDir bool) (ignored, matched bool) {
	// The last matching pattern wins, so scan from the end.
	for i := len(f.patterns) - 1; i >= 0; i-- {
		p := &f.patterns[i]
		if p.matches(rel, name, isDir) {
			return !p.negate, true
		}
	}
	return false, false
}

// wildmatch matches a gitignore glob against a slash-separated path:
// "*" and "?" do not match "/", "[...]" is a character class ("[!...]" or
// "[^...]" negated), a backslash escapes the next character, and "**" as a
// whole path element matches any number of elements: "**/x" (x at any
// depth), "a/**" (everything inside a), "a/**/b" (zero or more folders
// between). Any other "**" is an ordinary "*".
func wildmatch(pat, s string) bool {
	return wm(pat, 0, s, 0)
}

func wm(p string, pi int, s string, si int) bool {
	for pi < len(p) {
		c := p[pi]
		segStart := pi == 0 || p[pi-1] == '/'
		switch {
		case c == '*' && segStart && strings.HasPrefix(p[pi:], "**") && (pi+2 == len(p) || p[pi+2] == '/'):
			if pi+2 == len(p) {
				// Trailing "**": everything below. A leading one (the
				// pattern "**" alone) matches everything too.
				return true
			}
			rest := pi + 3
			if wm(p, rest, s, si) {
				return true
			}
			for j := si; j < len(s); j++ {
				if s[j] == '/' && wm(p, rest, s, j+1) {
					return true
				}
			}
			return false
		case c == '*':
			for pi < len(p) && p[pi] == '*' {
				pi++
			}
			for k := si; ; k++ {
				if wm(p, pi, s, k) {
					return true
				}
				if k == len(s) || s[k] == '/' {
					return false
				}
			}
		case c == '?':
			if si >= len(s) || s[si] == '/' {
				return false
			}
			_, n := utf8.DecodeRuneInString(s[si:])
			pi++
			si += n
		case c == '[':
			if si >= len(s) || s[si] == '/' {
				return false
			}
			r, n := utf8.DecodeRuneInString(s[si:])
			ok, next, valid := matchClass(p, pi, r)
			if !valid {
				// An unterminated class is a literal "[".
				if s[si] != '[' {
					return false
				}
				pi++
				si++
				continue
			}
			if !ok {
				return false
			}
			pi = next
			si += n
		case c == '\\' && pi+1 < len(p):
			if si >= len(s) || s[si] != p[pi+1] {
				return false
			}
			pi += 2
			si++
		default:
			if si >= len(s) || s[si] != c {
				return false
			}
			pi++
			si++
		}
	}
	return si == len(s)
}

// matchClass matches r against the bracket expression starting at p[pi]
// ("["). It returns whether r is in the class, the index after the closing
// "]", and whether the expression is well formed.
func matchClass(p string, pi int, r rune) (ok bool, next int, valid bool) {
	i := pi + 1
	negate := false
	if i < len(p) && (p[i] == '!' || p[i] == '^') {
		negate = true
		i++
	}
	first := true
	for i < len(p) {
		if p[i] == ']' && !first {
			return ok != negate, i + 1, true
		}
		first = false
		if p[i] == '[' && i+1 < len(p) && p[i+1] == ':' {
			if end := strings.Index(p[i+2:], ":]"); end >= 0 {
				if classHas(p[i+2:i+2+end], r) {
					ok = true
				}
				i += 2 + end + 2
				continue
			}
		}
		lo, n := classChar(p, i)
		if n == 0 {
			return false, 0, false
		}
		i += n
		hi := lo
		if i+1 < len(p) && p[i] == '-' && p[i+1] != ']' {
			var m int
			hi, m = classChar(p, i+1)
			if m == 0 {
				return false, 0, false
			}
			i += 1 + m
		}
		if lo <= r && r <= hi {
			ok = true
		}
	}
	return false, 0, false
}

// classChar decodes one (possibly backslash-escaped) character of a class.
func classChar(p string, i int) (rune, int) {
	if p[i] == '\\' {
		if i+1 >= len(p) {
			return 0, 0
		}
		r, n := utf8.DecodeRuneInString(p[i+1:])
		return r, n + 1
	}
	r, n := utf8.DecodeRuneInString(p[i:])
	return r, n
}

func classHas(name string, r rune) bool {
	switch name {
	case "alnum":
		return unicode.IsLetter(r) || unicode.IsDigit(r)
	case "alpha":
		return unicode.IsLetter(r)
	case "digit":
		return '0' <= r && r <= '9'
	case "lower":
		return unicode.IsLower(r)
	case "upper":
		return unicode.IsUpper(r)
	case "space":
		return unicode.IsSpace(r)
	case "punct":
		return unicode.IsPunct(r)
	case "xdigit":
		return strings.ContainsRune("0123456789abcdefABCDEF", r)
	case "blank":
		return r == ' ' || r == '\t'
	}
	return false
}
