package lint

import (
	"bytes"
	"fmt"
	"strings"
)

// This file holds a small line diff (Myers' O(ND) algorithm) for --diff
// and for mapping rows of fixed content back to the original (changed-code
// mode). Lines are compared with their line breaks, so a change of line
// ending is a change.

// diffOp is one step of an edit script: a line kept (' '), deleted from a
// ('-') or inserted from b ('+'). A and B are 0-based line indices; the one
// that does not apply is -1.
type diffOp struct {
	Kind byte
	A, B int
}

// maxDiffCost bounds the edit distance Myers' algorithm searches (its
// memory grows with the square of it); beyond it the differing middle is
// reported as replaced whole, which is correct if not minimal.
const maxDiffCost = 4000

// splitLines splits src after each "\n"; a last line without one is kept.
func splitLines(src []byte) []string {
	if len(src) == 0 {
		return nil
	}
	lines := strings.SplitAfter(string(src), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// lineDiff returns an edit script turning a into b.
func lineDiff(a, b []string) []diffOp {
	// Common prefix and suffix first: fixes touch a few lines of a file.
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	ops := make([]diffOp, 0, max(len(a), len(b))+8)
	for i := 0; i < pre; i++ {
		ops = append(ops, diffOp{' ', i, i})
	}
	ops = append(ops, myers(a[pre:len(a)-suf], b[pre:len(b)-suf], pre, pre)...)
	for i := 0; i < suf; i++ {
		ops = append(ops, diffOp{' ', len(a) - suf + i, len(b) - suf + i})
	}
	return ops
}

// myers diffs a and b (whose first lines are at offA and offB in the whole
// files) with Myers' greedy algorithm, keeping each round's frontier to
// walk the path back.
func myers(a, b []string, offA, offB int) []diffOp {
	n, m := len(a), len(b)
	replaceAll := func() []diffOp {
		var ops []diffOp
		for i := 0; i < n; i++ {
			ops = append(ops, diffOp{'-', offA + i, -1})
		}
		for j := 0; j < m; j++ {
			ops = append(ops, diffOp{'+', -1, offB + j})
		}
		return ops
	}
	if n == 0 || m == 0 {
		return replaceAll()
	}
	limit := min(n+m, maxDiffCost)
	// v[k+off] is the furthest x on diagonal k; trace[d] the v after round d.
	off := limit + 1
	v := make([]int, 2*off+1)
	var trace [][]int
	found := -1
	for d := 0; d <= limit && found < 0; d++ {
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				x = v[off+k+1] // down: insertion
			} else {
				x = v[off+k-1] + 1 // right: deletion
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x++
				y++
			}
			v[off+k] = x
			if x >= n && y >= m {
				found = d
				break
			}
		}
		snap := make([]int, 2*d+3)
		copy(snap, v[off-d-1:off+d+2])
		trace = append(trace, snap)
	}
	if found < 0 {
		return replaceAll()
	}
	// Walk back from (n, m).
	var rev []diffOp
	x, y := n, m
	for d := found; d > 0; d-- {
		prev := trace[d-1] // indices -(d) .. d, shifted by d
		at := func(k int) int { return prev[k+d] }
		k := x - y
		var pk int
		if k == -d || (k != d && at(k-1) < at(k+1)) {
			pk = k + 1
		} else {
			pk = k - 1
		}
		px := at(pk)
		py := px - pk
		for x > px && y > py {
			x--
			y--
			rev = append(rev, diffOp{' ', offA + x, offB + y})
		}
		if x == px {
			y--
			rev = append(rev, diffOp{'+', -1, offB + y})
		} else {
			x--
			rev = append(rev, diffOp{'-', offA + x, -1})
		}
	}
	for x > 0 && y > 0 {
		x--
		y--
		rev = append(rev, diffOp{' ', offA + x, offB + y})
	}
	ops := make([]diffOp, len(rev))
	for i, op := range rev {
		ops[len(rev)-1-i] = op
	}
	return ops
}

// UnifiedDiff returns the unified diff (three lines of context) that turns
// before into after, with the headers "--- a/PATH" and "+++ b/PATH"; ""
// when they are equal. path is written with forward slashes.
func UnifiedDiff(path string, before, after []byte) string {
	if bytes.Equal(before, after) {
		return ""
	}
	const context = 3
	a, b := splitLines(before), splitLines(after)
	ops := lineDiff(a, b)
	var out strings.Builder
	path = strings.ReplaceAll(path, "\\", "/")
	fmt.Fprintf(&out, "--- a/%s\n+++ b/%s\n", path, path)
	for i := 0; i < len(ops); {
		if ops[i].Kind == ' ' {
			i++
			continue
		}
		// A hunk: from context lines before the change to context lines
		// after the last change that is at most 2*context lines away.
		start := max(i-context, 0)
		end := i
		for j := i; j < len(ops); j++ {
			if ops[j].Kind != ' ' {
				end = j + 1
				continue
			}
			if j-end >= 2*context {
				break
			}
		}
		stop := min(end+context, len(ops))
		writeHunk(&out, ops, start, stop, a, b)
		i = stop
	}
	return out.String()
}

func writeHunk(out *strings.Builder, all []diffOp, from, to int, a, b []string) {
	ops := all[from:to]
	// The first line of each side in the hunk; for a side with no line in
	// it, the number of that side's lines before the hunk (as diff(1)
	// writes it).
	aStart, bStart, aLen, bLen := -1, -1, 0, 0
	for _, op := range ops {
		if op.A >= 0 {
			if aStart < 0 {
				aStart = op.A
			}
			aLen++
		}
		if op.B >= 0 {
			if bStart < 0 {
				bStart = op.B
			}
			bLen++
		}
	}
	aBefore, bBefore := 0, 0
	for _, op := range all[:from] {
		if op.A >= 0 {
			aBefore++
		}
		if op.B >= 0 {
			bBefore++
		}
	}
	fmt.Fprintf(out, "@@ -%s +%s @@\n", hunkRange(aStart, aLen, aBefore), hunkRange(bStart, bLen, bBefore))
	for _, op := range ops {
		var line string
		switch op.Kind {
		case ' ', '-':
			line = a[op.A]
		default:
			line = b[op.B]
		}
		out.WriteByte(op.Kind)
		out.WriteString(line)
		if !strings.HasSuffix(line, "\n") {
			out.WriteString("\n\\ No newline at end of file\n")
		}
	}
}

func hunkRange(start, n, before int) string {
	if n == 0 {
		return fmt.Sprintf("%d,0", before)
	}
	if n == 1 {
		return fmt.Sprintf("%d", start+1)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}
