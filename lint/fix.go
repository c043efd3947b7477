package lint

import (
	"bytes"
	"errors"
	"fmt"
	"go/token"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/sparklint/sparklint/pyparse"
)

// maxFixRounds bounds the fix loop. Applying fixes can reveal new ones (a
// fix skipped because it overlapped another applies in the next round), so
// fixing repeats until nothing changes; a rule whose fix does not remove
// its finding would otherwise loop for ever.
const maxFixRounds = 10

// fix applies the safe fixes (and, with UnsafeFixes, the unsafe ones) of
// the findings in outcomes, file by file (never in excluded files, whose
// findings are not reported),
// re-checking after each round the files whose content (or whose
// dependencies' content) changed, so that outcomes end up holding what
// remains. It returns the number of fixes applied and the files that could
// not be fixed.
func (e *engine) fix(outcomes []fileOutcome) (int, []FileError) {
	total := 0
	var errs []FileError
	refused := map[string]bool{}
	for round := 0; ; round++ {
		expected := expectedHashes(outcomes)
		byPath := map[string][]*Fix{}
		for _, o := range outcomes {
			for _, f := range o.res.Findings {
				if f.Fix != nil && len(f.Fix.Edits) > 0 && !refused[f.Path] && !e.vis.hidden(f.Path) &&
					(f.Fix.Applicability == "safe" || (e.opts.UnsafeFixes && f.Fix.Applicability == "unsafe")) {
					byPath[f.Path] = append(byPath[f.Path], f.Fix)
				}
			}
		}
		if len(byPath) == 0 {
			break
		}
		if round == maxFixRounds {
			paths := sortedKeys(byPath)
			errs = append(errs, FileError{Path: paths[0], Internal: true,
				Message: fmt.Sprintf("internal error: fixes did not converge after %d rounds (a rule's fix does not remove its finding)", maxFixRounds)})
			break
		}
		changed := map[string]bool{}
		// Fixes are applied in memory (overlay.go); Run writes the result.
		info := e.newFixRound(outcomes)
		for _, p := range sortedKeys(byPath) {
			n, err := e.fixInMemory(p, byPath[p], expected[p], info)
			if err != nil {
				errs = append(errs, FileError{Path: p, Message: err.Error()})
				refused[p] = true
				continue
			}
			if n > 0 {
				total += n
				changed[p] = true
			}
		}
		if len(changed) == 0 {
			break
		}
		// Re-check what the changes touch, with a fresh project: its
		// parse cache holds the old contents.
		e.cache.forget()
		if err := e.newChecker(); err != nil {
			errs = append(errs, FileError{Path: sortedKeys(changed)[0], Message: err.Error(), Internal: true})
			break
		}
		e.recheckFiles(outcomes, changed)
	}
	return total, errs
}

// touched reports whether o's result may change when the files in changed
// do: it is one of them, depends on one, or reports findings in one.
// recheck checks again the files whose results depend on the changed
// files, replacing their outcomes.
func (e *engine) recheckFiles(outcomes []fileOutcome, changed map[string]bool) {
	var idx []int
	var paths []string
	for i, o := range outcomes {
		if touched(o, changed) {
			idx = append(idx, i)
			paths = append(paths, o.path)
		}
	}
	again := make([]fileOutcome, len(paths))
	e.checkFiles(paths, again)
	for k, i := range idx {
		outcomes[i] = again[k]
	}
}

func touched(o fileOutcome, changed map[string]bool) bool {
	if changed[o.path] {
		return true
	}
	for d := range o.res.Deps {
		if changed[d] {
			return true
		}
	}
	for _, f := range o.res.Findings {
		if changed[f.Path] {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// fixFile applies fixes to the file at path, whose content must still hash
// to expected (the content the fixes were computed on). The result is
// re-parsed and written only if it adds no syntax error, atomically and
// with the file's permissions kept; a symbolic link is followed, not
// replaced.
func fixFile(path string, fixes []*Fix, expected string) (int, error) {
	src, err := readSource(path)
	if err != nil {
		return 0, fmt.Errorf("not fixed: %w", err)
	}
	out, applied, err := fixContent(path, src, fixes, expected)
	if err != nil || len(applied) == 0 {
		return 0, err
	}
	if err := writeFixed(path, src, out); err != nil {
		return 0, err
	}
	return len(applied), nil
}

// checkFixedSyntax refuses fixed content that has a syntax error the
// original did not have.
func checkFixedSyntax(path string, before, after []byte) error {
	bad := func(src []byte) bool {
		m, err := pyparse.Parse(token.NewFileSet(), path, src)
		return err != nil || m == nil || m.SyntaxError != pyparse.NoNode
	}
	if bad(after) && !bad(before) {
		return errors.New("fixes not applied: they would introduce a syntax error (this is a bug in sparklint; please report it)")
	}
	return nil
}

// ApplyFixes applies fixes to src and returns the new content and the
// number of fixes applied. Each fix is applied whole or not at all: fixes
// are taken in order of position (then of content, so the outcome does not
// depend on the order of fixes) and one that overlaps a fix already taken,
// or whose edits are malformed, is skipped — the next run (or round) will
// offer it again on the new content. Identical fixes are applied once and
// counted once.
//
// Line breaks in the edits' content take the file's line ending: in a file
// whose first line ends in "\r\n", each "\n" of the content becomes "\r\n"
// (rules write "\n"), so that a fix does not leave mixed line endings.
func ApplyFixes(src []byte, fixes []*Fix) ([]byte, int) {
	out, applied := applyFixes(src, fixes)
	return out, len(applied)
}

// applyFixes is ApplyFixes, returning the indices in fixes of the fixes
// applied (for a set of identical fixes, the first one's).
func applyFixes(src []byte, fixes []*Fix) ([]byte, []int) {
	crlf := crlfFile(src)
	type cand struct {
		edits      []Edit
		start, end int
		key        string
		idx        int
	}
	var cands []cand
	for fi, f := range fixes {
		if f == nil || len(f.Edits) == 0 {
			continue
		}
		edits := append([]Edit(nil), f.Edits...)
		if crlf {
			for i := range edits {
				edits[i].Content = toCRLF(edits[i].Content)
			}
		}
		sort.SliceStable(edits, func(i, j int) bool {
			if edits[i].Offset != edits[j].Offset {
				return edits[i].Offset < edits[j].Offset
			}
			return edits[i].EndOffset < edits[j].EndOffset
		})
		ok := true
		var key strings.Builder
		end := 0
		for i, ed := range edits {
			if ed.Offset < 0 || ed.EndOffset < ed.Offset || ed.EndOffset > len(src) ||
				!boundary(src, ed.Offset) || !boundary(src, ed.EndOffset) ||
				(i > 0 && ed.Offset < edits[i-1].EndOffset) {
				ok = false
				break
			}
			end = max(end, ed.EndOffset)
			fmt.Fprintf(&key, "%d:%d:%q;", ed.Offset, ed.EndOffset, ed.Content)
		}
		if ok {
			cands = append(cands, cand{edits: edits, start: edits[0].Offset, end: end, key: key.String(), idx: fi})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool {
		a, b := cands[i], cands[j]
		if a.start != b.start {
			return a.start < b.start
		}
		if a.end != b.end {
			return a.end < b.end
		}
		return a.key < b.key
	})
	var out bytes.Buffer
	out.Grow(len(src))
	pos, last := 0, 0
	var done []int
	applied := map[string]bool{}
	for _, c := range cands {
		if applied[c.key] || c.start < last {
			continue
		}
		for _, ed := range c.edits {
			out.Write(src[pos:ed.Offset])
			out.WriteString(ed.Content)
			pos = ed.EndOffset
		}
		last = c.end
		applied[c.key] = true
		done = append(done, c.idx)
	}
	if len(done) == 0 {
		return src, nil
	}
	out.Write(src[pos:])
	return out.Bytes(), done
}

// crlfFile reports whether the first line of src ends in "\r\n".
func crlfFile(src []byte) bool {
	i := bytes.IndexByte(src, '\n')
	return i > 0 && src[i-1] == '\r'
}

// toCRLF turns the bare "\n" line breaks of s into "\r\n".
func toCRLF(s string) string {
	if !strings.Contains(s, "\n") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + strings.Count(s, "\n"))
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' && (i == 0 || s[i-1] != '\r') {
			b.WriteByte('\r')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// boundary reports whether off is a valid place to cut src: an edit there
// must not split a UTF-8 sequence.
func boundary(src []byte, off int) bool {
	return off == len(src) || utf8.RuneStart(src[off])
}
