package lint

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// Changed-code mode (--diff-base REV): a finding is reported only when one
// of its lines was added or changed since the merge base of REV and HEAD,
// as `git diff` shows the working tree against it (staged and unstaged
// changes alike), or lies in an untracked file (every line of which is
// new). Files the diff does not touch report nothing, so a pull-request
// check never fails on code the pull request did not write.

// changedLines are the lines added or changed since a revision, by file.
type changedLines struct {
	top   string                  // the repository's top folder
	files map[string]*fileChanges // by absolute path
	// resolved memoises the symbolic-link-free form of findings' paths.
	mu       sync.Mutex
	resolved map[string]string
}

// fileChanges are the changed lines of one file.
type fileChanges struct {
	all  bool         // an untracked file: every line is new
	rows map[int]bool // 1-based rows of added or changed lines
	// texts are the added lines of a Jupyter notebook as the cells hold
	// them (the JSON strings decoded, trimmed): a finding in a notebook
	// names a row of its cell, not of the file.
	texts map[string]bool
}

// git runs git in dir and returns its standard output.
func git(dir string, args ...string) ([]byte, error) {
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if i := strings.IndexByte(msg, '\n'); i >= 0 {
			msg = msg[:i]
		}
		if msg == "" {
			msg = err.Error()
		}
		return out, errors.New(msg)
	}
	return out, nil
}

// loadChangedLines finds the lines changed in the repository holding dir
// since the merge base of rev and HEAD.
func loadChangedLines(dir, rev string) (*changedLines, error) {
	if _, err := exec.LookPath("git"); err != nil {
		return nil, errors.New("--diff-base needs git, which was not found on the PATH")
	}
	out, err := git(dir, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, fmt.Errorf("--diff-base: %s is not in a git repository (%w)", dir, err)
	}
	top := strings.TrimSpace(string(out))
	if top == "" {
		return nil, fmt.Errorf("--diff-base: %s is not in a git work tree", dir)
	}
	top = filepath.Clean(top)
	if strings.HasPrefix(rev, "-") {
		return nil, fmt.Errorf("--diff-base: invalid revision %q", rev)
	}
	if _, err := git(top, "rev-parse", "--verify", "--quiet", "--end-of-options", rev+"^{commit}"); err != nil {
		return nil, fmt.Errorf("--diff-base: unknown revision %q (not a commit, branch or tag of this repository)", rev)
	}
	if _, err := git(top, "rev-parse", "--verify", "--quiet", "HEAD^{commit}"); err != nil {
		return nil, errors.New("--diff-base: the repository has no commit yet (HEAD is unborn)")
	}
	out, err = git(top, "merge-base", rev, "HEAD")
	base := strings.TrimSpace(string(out))
	if err != nil || base == "" {
		return nil, fmt.Errorf("--diff-base: %q and HEAD have no common ancestor", rev)
	}
	diff, err := git(top, "-c", "core.quotePath=false", "diff", "--unified=0", "--no-color", "--no-ext-diff",
		"--no-textconv", "--find-renames", "--src-prefix=a/", "--dst-prefix=b/", base, "--")
	if err != nil {
		return nil, fmt.Errorf("--diff-base: git diff failed: %w", err)
	}
	c := &changedLines{top: top, files: map[string]*fileChanges{}, resolved: map[string]string{}}
	if err := c.parseDiff(diff); err != nil {
		return nil, err
	}
	untracked, err := git(top, "ls-files", "--others", "--exclude-standard", "-z")
	if err != nil {
		return nil, fmt.Errorf("--diff-base: git ls-files failed: %w", err)
	}
	for _, rel := range strings.Split(string(untracked), "\x00") {
		if rel != "" {
			c.files[filepath.Join(top, filepath.FromSlash(rel))] = &fileChanges{all: true}
		}
	}
	return c, nil
}

// parseDiff reads the output of `git diff --unified=0`.
func (c *changedLines) parseDiff(diff []byte) error {
	var cur *fileChanges
	notebook := false
	// Lines of the current hunk still to come, old and new side.
	remOld, remNew, row := 0, 0, 0
	sc := bufio.NewScanner(bytes.NewReader(diff))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<30)
	for sc.Scan() {
		line := sc.Text()
		if remOld > 0 || remNew > 0 {
			switch {
			case strings.HasPrefix(line, "-"):
				remOld--
			case strings.HasPrefix(line, "+"):
				remNew--
				if cur != nil {
					cur.rows[row] = true
					if notebook {
						addNotebookText(cur, line[1:])
					}
				}
				row++
			}
			// "\ No newline at end of file" counts for neither side.
			continue
		}
		switch {
		case strings.HasPrefix(line, "diff --git "):
			cur, notebook = nil, false
		case strings.HasPrefix(line, "+++ "):
			name := strings.TrimSpace(line[4:])
			if strings.HasPrefix(name, `"`) {
				if u, err := strconv.Unquote(name); err == nil {
					name = u
				}
			}
			if name == "/dev/null" || !strings.HasPrefix(name, "b/") {
				cur = nil
				continue
			}
			path := filepath.Join(c.top, filepath.FromSlash(name[2:]))
			cur = &fileChanges{rows: map[int]bool{}}
			notebook = strings.HasSuffix(path, ".ipynb")
			if notebook {
				cur.texts = map[string]bool{}
			}
			c.files[path] = cur
		case strings.HasPrefix(line, "@@ "):
			oldN, newStart, newN, ok := parseHunkHeader(line)
			if !ok {
				return fmt.Errorf("--diff-base: cannot read git's diff: %q", line)
			}
			remOld, remNew, row = oldN, newN, newStart
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("--diff-base: reading git's diff: %w", err)
	}
	return nil
}

// parseHunkHeader reads "@@ -a[,b] +c[,d] @@...": the old line count, and
// the new side's first line and line count.
func parseHunkHeader(line string) (oldN, newStart, newN int, ok bool) {
	f := strings.Fields(line)
	if len(f) < 4 || !strings.HasPrefix(f[1], "-") || !strings.HasPrefix(f[2], "+") {
		return 0, 0, 0, false
	}
	count := func(r string) (start, n int, ok bool) {
		s, l, has := strings.Cut(r, ",")
		start, err := strconv.Atoi(s)
		if err != nil {
			return 0, 0, false
		}
		n = 1
		if has {
			if n, err = strconv.Atoi(l); err != nil {
				return 0, 0, false
			}
		}
		return start, n, true
	}
	_, oldN, ok1 := count(f[1][1:])
	newStart, newN, ok2 := count(f[2][1:])
	return oldN, newStart, newN, ok1 && ok2
}

// addNotebookText records an added line of a notebook's JSON: the cell
// lines a JSON string on it holds.
func addNotebookText(fc *fileChanges, line string) {
	s := strings.TrimSpace(line)
	s = strings.TrimSuffix(s, ",")
	if !strings.HasPrefix(s, `"`) {
		return
	}
	var text string
	if err := json.Unmarshal([]byte(s), &text); err != nil {
		return
	}
	for l := range strings.SplitSeq(text, "\n") {
		if l = normalizeSpace(l); l != "" {
			fc.texts[l] = true
		}
	}
}

// lookup returns the changes of the file at abs; nil when the diff does
// not touch it.
func (c *changedLines) lookup(abs string) *fileChanges {
	if fc := c.files[abs]; fc != nil {
		return fc
	}
	c.mu.Lock()
	resolved, ok := c.resolved[abs]
	c.mu.Unlock()
	if !ok {
		resolved = abs
		if dir, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
			resolved = filepath.Join(dir, filepath.Base(abs))
		}
		c.mu.Lock()
		c.resolved[abs] = resolved
		c.mu.Unlock()
	}
	return c.files[resolved]
}

// counts reports whether finding f of this file is on changed code: one
// of the rows it spans, or its noqa row, is in rows (the file's changed
// rows, mapped to fixed content when fixes changed it in memory).
func (fc *fileChanges) counts(f *Finding, rows map[int]bool) bool {
	if fc.all {
		return true
	}
	if f.Cell > 0 {
		return fc.texts[normalizeSpace(f.SourceLine)]
	}
	last := f.End.Row
	if last > f.Location.Row && f.End.Column <= 1 {
		last-- // the range ends at the start of that row
	}
	last = max(last, f.Location.Row)
	for r := f.Location.Row; r <= last; r++ {
		if rows[r] {
			return true
		}
	}
	return f.NoqaRow > 0 && rows[f.NoqaRow]
}

// normalizeSpace trims s and turns each run of white space into one space.
func normalizeSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// statExists reports whether path names an existing file.
func statExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
