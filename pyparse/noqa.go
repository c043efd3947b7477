package pyparse

import (
	"slices"
	"strings"
)

// Suppression is one "# noqa" comment.
type Suppression struct {
	Comment NodeID
	Line    int      // 0-based
	All     bool     // bare "# noqa": suppresses every finding on the line
	Codes   []string // "# noqa: SPK101, SPK201"
	// CodesStart and CodesEnd delimit the code list in the source, so
	// tooling can rewrite it.
	CodesStart, CodesEnd uint32
}

// Suppressions are the noqa comments of a file.
type Suppressions struct {
	ByLine    map[int]*Suppression
	FileAll   bool            // "# sparklint: noqa"
	FileCodes map[string]bool // "# sparklint: noqa: SPK101"
}

// Suppresses reports whether a finding with code on 0-based line is
// suppressed. Like Ruff, a code list suppresses only the codes it names
// (another tool's codes suppress nothing); a bare noqa suppresses all.
func (s *Suppressions) Suppresses(code string, line int) bool {
	if s.FileAll || s.FileCodes[code] {
		return true
	}
	sup := s.ByLine[line]
	if sup == nil {
		return false
	}
	if sup.All {
		return true
	}
	for _, c := range sup.Codes {
		if c == code {
			return true
		}
	}
	return false
}

// CodeUsed is how a suppression matched: by code on the line, by a bare
// noqa on the line, or file-wide.
type CodeUsed uint8

// Ways a finding is suppressed.
const (
	NotSuppressed CodeUsed = iota
	ByLineCode
	ByLineAll
	ByFile
)

// SuppressedBy reports how a finding with code on 0-based line is
// suppressed.
func (s *Suppressions) SuppressedBy(code string, line int) CodeUsed {
	if s.FileAll || s.FileCodes[code] {
		return ByFile
	}
	sup := s.ByLine[line]
	switch {
	case sup == nil:
		return NotSuppressed
	case sup.All:
		return ByLineAll
	case slices.Contains(sup.Codes, code):
		return ByLineCode
	}
	return NotSuppressed
}

func parseSuppressions(m *Module) Suppressions {
	s := Suppressions{}
	for _, c := range m.Comments {
		n := m.N(c)
		text := string(m.Src[n.Start:n.End])
		lower := strings.ToLower(text)
		if i := strings.Index(lower, "sparklint:"); i >= 0 {
			rest := strings.TrimSpace(lower[i+len("sparklint:"):])
			if strings.HasPrefix(rest, "noqa") {
				codes, _, _ := noqaCodes(strings.TrimLeft(text[i+len("sparklint:"):], " "), 0)
				if len(codes) == 0 {
					s.FileAll = true
				} else {
					if s.FileCodes == nil {
						s.FileCodes = map[string]bool{}
					}
					for _, code := range codes {
						s.FileCodes[code] = true
					}
				}
				continue
			}
		}
		idx := strings.Index(lower, "noqa")
		if idx < 0 {
			continue
		}
		// "# noqa" must start the comment or follow another "#" (as in
		// "# type: ignore # noqa").
		before := strings.TrimRight(text[:idx], " \t")
		if !strings.HasSuffix(before, "#") {
			continue
		}
		codes, cs, ce := noqaCodes(text[idx:], idx)
		line := m.Line(n.Start)
		sup := &Suppression{Comment: c, Line: line, All: len(codes) == 0, Codes: codes}
		if len(codes) > 0 {
			sup.CodesStart, sup.CodesEnd = n.Start+uint32(cs), n.Start+uint32(ce)
		}
		if s.ByLine == nil {
			s.ByLine = map[int]*Suppression{}
		}
		s.ByLine[line] = sup
	}
	return s
}

// noqaCodes reads "noqa: A1, B2" from text (which starts at "noqa") and
// returns the codes and their byte span relative to the comment start.
func noqaCodes(text string, base int) (codes []string, start, end int) {
	rest := text[len("noqa"):]
	trimmed := strings.TrimLeft(rest, " ")
	if !strings.HasPrefix(trimmed, ":") {
		return nil, 0, 0
	}
	off := len(text) - len(trimmed) + 1
	body := trimmed[1:]
	i := 0
	for i < len(body) {
		for i < len(body) && (body[i] == ' ' || body[i] == ',') {
			i++
		}
		j := i
		for j < len(body) && isCodeChar(body[j]) {
			j++
		}
		if j == i {
			break
		}
		if len(codes) == 0 {
			start = base + off + i
		}
		codes = append(codes, strings.ToUpper(body[i:j]))
		end = base + off + j
		i = j
	}
	return codes, start, end
}

func isCodeChar(b byte) bool {
	return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9')
}

// NoqaLine maps a 0-based line to the line whose comment suppresses
// findings on it: the line itself, or, as in Ruff, the last line of a
// multi-line string that starts or runs through it, or of a statement
// continued with backslashes.
func (m *Module) NoqaLine(line int) int {
	m.noqaOnce.Do(func() {
		m.noqaLines = map[int]int{}
		for i := range m.Nodes {
			n := &m.Nodes[i]
			if n.Kind != KString {
				continue
			}
			first, last := m.Line(n.Start), m.Line(n.End)
			for l := first; l < last; l++ {
				if last > m.noqaLines[l] {
					m.noqaLines[l] = last
				}
			}
		}
	})
	for {
		next := line
		if l, ok := m.noqaLines[line]; ok {
			next = l
		}
		for next+1 < len(m.lineStarts) && strings.HasSuffix(strings.TrimRight(m.LineText(next), " \t"), "\\") {
			next++
		}
		if next == line {
			return line
		}
		line = next
	}
}
