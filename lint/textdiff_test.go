package lint

import (
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestUnifiedDiffGolden(t *testing.T) {
	before := "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\n"
	after := "a\nB\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\nn\n"
	want := `--- a/pkg/m.py
+++ b/pkg/m.py
@@ -1,5 +1,5 @@
 a
-b
+B
 c
 d
 e
@@ -11,3 +11,4 @@
 k
 l
 m
+n
`
	if got := UnifiedDiff(filepath.Join("pkg", "m.py"), []byte(before), []byte(after)); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if got := UnifiedDiff("m.py", []byte("x\n"), []byte("x\n")); got != "" {
		t.Errorf("equal contents: %q", got)
	}
	// A last line without a line break, and an empty file.
	want = "--- a/m.py\n+++ b/m.py\n@@ -1 +1 @@\n-x\n\\ No newline at end of file\n+x\n"
	if got := UnifiedDiff("m.py", []byte("x"), []byte("x\n")); got != want {
		t.Errorf("no newline: got %q, want %q", got, want)
	}
	want = "--- a/m.py\n+++ b/m.py\n@@ -0,0 +1,2 @@\n+x\n+y\n"
	if got := UnifiedDiff("m.py", nil, []byte("x\ny\n")); got != want {
		t.Errorf("from empty: got %q, want %q", got, want)
	}
}

// applyUnified applies a diff made by UnifiedDiff to before, checking each
// context and deleted line: the diff must describe the change exactly.
func applyUnified(t *testing.T, before []byte, diff string) string {
	t.Helper()
	src := splitLines(before)
	var out []string
	pos := 0
	lines := strings.SplitAfter(diff, "\n")
	for i := 2; i < len(lines); i++ {
		l := lines[i]
		if l == "" {
			continue
		}
		if strings.HasPrefix(l, "@@ ") {
			f := strings.Fields(l)
			start, _, _ := strings.Cut(f[1][1:], ",")
			n, _ := strconv.Atoi(start)
			if strings.HasSuffix(f[1], ",0") {
				n++ // an empty side names the line before
			}
			for pos < n-1 {
				out = append(out, src[pos])
				pos++
			}
			continue
		}
		text := l[1:]
		if i+1 < len(lines) && strings.HasPrefix(lines[i+1], `\ No newline`) {
			text = strings.TrimSuffix(text, "\n")
			i++
		}
		switch l[0] {
		case ' ', '-':
			if pos >= len(src) || src[pos] != text {
				t.Fatalf("line %d: diff says %q, file has %q\n%s", pos+1, text, src[min(pos, len(src)-1)], diff)
			}
			if l[0] == ' ' {
				out = append(out, text)
			}
			pos++
		case '+':
			out = append(out, text)
		default:
			t.Fatalf("bad diff line %q", l)
		}
	}
	out = append(out, src[pos:]...)
	return strings.Join(out, "")
}

// Random edits: the diff always turns before into after, and its hunks
// agree with git's own diff of the same files when git is installed.
func TestUnifiedDiffRandom(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	words := []string{"a\n", "b\n", "c\n", "x = 1\n", "\n", "bad_call()\n"}
	gitPath, _ := exec.LookPath("git")
	dir := t.TempDir()
	for iter := 0; iter < 300; iter++ {
		var a []string
		for i := rng.Intn(30); i > 0; i-- {
			a = append(a, words[rng.Intn(len(words))])
		}
		b := append([]string(nil), a...)
		for e := rng.Intn(6); e > 0; e-- {
			switch i := rng.Intn(len(b) + 1); {
			case rng.Intn(3) == 0 || len(b) == 0 || i == len(b):
				b = append(b[:i], append([]string{words[rng.Intn(len(words))]}, b[i:]...)...)
			case rng.Intn(2) == 0:
				b = append(b[:i], b[i+1:]...)
			default:
				b[i] = words[rng.Intn(len(words))]
			}
		}
		before, after := strings.Join(a, ""), strings.Join(b, "")
		if rng.Intn(5) == 0 && after != "" {
			after = strings.TrimSuffix(after, "\n")
		}
		d := UnifiedDiff("f.py", []byte(before), []byte(after))
		if before == after {
			if d != "" {
				t.Fatalf("equal: %q", d)
			}
			continue
		}
		if got := applyUnified(t, []byte(before), d); got != after {
			t.Fatalf("applying the diff of %q -> %q gave %q\n%s", before, after, got, d)
		}
		if gitPath != "" && iter < 40 {
			pa, pb := filepath.Join(dir, "a"), filepath.Join(dir, "b")
			_ = os.WriteFile(pa, []byte(before), 0o644)
			_ = os.WriteFile(pb, []byte(after), 0o644)
			out, _ := exec.Command(gitPath, "diff", "--no-index", "--no-color", "--minimal", pa, pb).Output()
			if gitHunks, ours := hunkCounts(string(out)), hunkCounts(d); gitHunks != ours {
				t.Errorf("%q -> %q: git's hunk sizes %s, ours %s\n%s\n%s", before, after, gitHunks, ours, out, d)
			}
		}
	}
}

// hunkCounts lists the number of deleted and added lines per hunk: the
// placement of a minimal diff may differ, its size may not.
func hunkCounts(diff string) string {
	del, add := 0, 0
	started := false
	for l := range strings.SplitSeq(diff, "\n") {
		switch {
		case strings.HasPrefix(l, "--- ") || strings.HasPrefix(l, "+++ "):
		case strings.HasPrefix(l, "@@"):
			started = true
		case started && strings.HasPrefix(l, "-"):
			del++
		case started && strings.HasPrefix(l, "+"):
			add++
		}
	}
	return strconv.Itoa(del) + "-/" + strconv.Itoa(add) + "+"
}

func TestRemapRows(t *testing.T) {
	orig := []byte("import pyspark\nbad_call()\nx = 1\nbad_call()\n")
	cur := []byte("import operator\nimport pyspark\ngood_call()\nx = 1\ngood_call()\n")
	got := remapRows(orig, cur, map[int]bool{3: true, 4: true})
	// Row 3 (x = 1) is row 4 now; row 4, rewritten, is row 5; row 2 was
	// not changed, nor is the inserted import.
	if len(got) != 2 || !got[4] || !got[5] {
		t.Errorf("remapRows = %v", got)
	}
}
