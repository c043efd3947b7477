package lint

import (
	"strings"
	"testing"
)

func TestWildmatch(t *testing.T) {
	tests := []struct {
		pat, s string
		want   bool
	}{
		{"foo", "foo", true},
		{"foo", "foobar", false},
		{"*.py", "a.py", true},
		{"*.py", "dir/a.py", false}, // * does not cross /
		{"a?c", "abc", true},
		{"a?c", "a/c", false},
		{"a?c", "aéc", true}, // ? is one character, not one byte
		{"[abc].py", "b.py", true},
		{"[!abc].py", "b.py", false},
		{"[^abc].py", "d.py", true},
		{"[a-c]x", "bx", true},
		{"[a-c]x", "dx", false},
		{"[]]x", "]x", true},
		{"[[:digit:]]x", "7x", true},
		{"[[:digit:]]x", "ax", false},
		{"[", "[", true}, // unterminated class: literal
		{`\*x`, "*x", true},
		{`\*x`, "ax", false},
		{"**/foo", "foo", true},
		{"**/foo", "a/b/foo", true},
		{"**/foo", "a/b/foox", false},
		{"foo/**", "foo/a", true},
		{"foo/**", "foo/a/b", true},
		{"foo/**", "foo", false},
		{"a/**/b", "a/b", true},
		{"a/**/b", "a/x/b", true},
		{"a/**/b", "a/x/y/b", true},
		{"a/**/b", "a/xb", false},
		{"a**b", "axxb", true}, // not a whole element: an ordinary *
		{"a**b", "ax/b", false},
		{"**", "anything/at/all", true},
		{"*", "", true},
		{"a*b*c", "aXbYc", true},
		{"a*b*c", "aXbY", false},
	}
	for _, tt := range tests {
		if got := wildmatch(tt.pat, tt.s); got != tt.want {
			t.Errorf("wildmatch(%q, %q) = %v, want %v", tt.pat, tt.s, got, tt.want)
		}
	}
}

func TestParseIgnoreLine(t *testing.T) {
	tests := []struct {
		line string
		ok   bool
		want ignorePattern
	}{
		{"", false, ignorePattern{}},
		{"# comment", false, ignorePattern{}},
		{`\#file`, true, ignorePattern{glob: "#file", literal: true}},
		{"!keep.py", true, ignorePattern{glob: "keep.py", negate: true, literal: true}},
		{`\!bang`, true, ignorePattern{glob: "!bang", literal: true}},
		{"build/", true, ignorePattern{glob: "build", dirOnly: true, literal: true}},
		{"/top.py", true, ignorePattern{glob: "top.py", anchored: true, literal: true}},
		{"a/b.py", true, ignorePattern{glob: "a/b.py", anchored: true, literal: true}},
		{"*.pyc   ", true, ignorePattern{glob: "*.pyc", suffix: ".pyc"}},
		{`trailing\ `, true, ignorePattern{glob: `trailing\ `}},
		{"/", false, ignorePattern{}},
	}
	for _, tt := range tests {
		got, ok := parseIgnoreLine(tt.line)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("parseIgnoreLine(%q) = %+v, %v; want %+v, %v", tt.line, got, ok, tt.want, tt.ok)
		}
	}
}

func TestIgnoreFileMatch(t *testing.T) {
	f := &ignoreFile{patterns: parseIgnore([]byte("\xef\xbb\xbf# generated\r\n*.gen.py\r\n!keep.gen.py\nlogs/\n/root_only.py\ndocs/**/skip.py\n"))}
	tests := []struct {
		rel   string
		isDir bool
		want  bool // ignored
		match bool
	}{
		{"x.gen.py", false, true, true},
		{"sub/x.gen.py", false, true, true}, // unanchored: any depth
		{"keep.gen.py", false, false, true}, // negated by a later line
		{"logs", true, true, true},
		{"logs", false, false, false}, // dir-only pattern, file of that name
		{"root_only.py", false, true, true},
		{"sub/root_only.py", false, false, false}, // anchored
		{"docs/skip.py", false, true, true},
		{"docs/a/b/skip.py", false, true, true},
		{"other/skip.py", false, false, false},
		{"plain.py", false, false, false},
	}
	for _, tt := range tests {
		name := tt.rel
		if i := strings.LastIndexByte(tt.rel, '/'); i >= 0 {
			name = tt.rel[i+1:]
		}
		ignored, matched := f.match(tt.rel, name, tt.isDir)
		if ignored != tt.want || matched != tt.match {
			t.Errorf("match(%q, dir=%v) = %v, %v; want %v, %v", tt.rel, tt.isDir, ignored, matched, tt.want, tt.match)
		}
	}
}
