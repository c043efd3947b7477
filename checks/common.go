package checks

import (
	"go/token"
	"path/filepath"
	"strings"

	"github.com/sparklint/sparklint/checks/executor"
	"github.com/sparklint/sparklint/checks/sparktype"
	"github.com/sparklint/sparklint/pyparse"
	"golang.org/x/tools/go/analysis"
)

// unit returns the parsed file of a pass.
func unit(pass *analysis.Pass) *pyparse.Unit {
	return pass.ResultOf[pyparse.Analyzer].(*pyparse.Unit)
}

func types(pass *analysis.Pass) *sparktype.Info {
	return pass.ResultOf[sparktype.Analyzer].(*sparktype.Info)
}

func execInfo(pass *analysis.Pass) *executor.Info {
	return pass.ResultOf[executor.Analyzer].(*executor.Info)
}

// span is a reportable range in a module.
type span struct {
	m          *pyparse.Module
	start, end uint32
}

func nodeSpan(m *pyparse.Module, n pyparse.NodeID) span {
	nd := m.N(n)
	return span{m, nd.Start, nd.End}
}

// callSpan is the range of a method call from the method's name to the
// closing parenthesis, so that a call in a chain split over lines is
// reported on its own line.
func callSpan(m *pyparse.Module, call pyparse.NodeID) span {
	fn := m.Child(call, pyparse.FFunction)
	if m.Kind(fn) == pyparse.KAttribute {
		if a := m.Child(fn, pyparse.FAttribute); a >= 0 {
			return span{m, m.N(a).Start, m.N(call).End}
		}
	}
	return nodeSpan(m, call)
}

func locSpan(l sparktype.Loc) span {
	if l.M.Kind(l.N) == pyparse.KCall {
		return callSpan(l.M, l.N)
	}
	return nodeSpan(l.M, l.N)
}

func (s span) pos() token.Pos { return s.m.Pos(s.start) }
func (s span) endPos() token.Pos {
	return s.m.Pos(s.end)
}

// related builds a related location.
func related(s span, msg string) analysis.RelatedInformation {
	return analysis.RelatedInformation{Pos: s.pos(), End: s.endPos(), Message: msg}
}

// report emits a diagnostic at s.
func report(pass *analysis.Pass, s span, msg string, rel ...analysis.RelatedInformation) {
	pass.Report(analysis.Diagnostic{Pos: s.pos(), End: s.endPos(), Message: msg, Related: rel})
}

// methodCall splits a call of the form recv.method(...) into its parts.
func methodCall(m *pyparse.Module, call pyparse.NodeID) (recv pyparse.NodeID, method string, ok bool) {
	fn := m.Child(call, pyparse.FFunction)
	if m.Kind(fn) != pyparse.KAttribute {
		return pyparse.NoNode, "", false
	}
	return m.Child(fn, pyparse.FObject), m.Text(m.Child(fn, pyparse.FAttribute)), true
}

// isTestFile reports whether the file of u is a test file (test_*.py,
// *_test.py, conftest.py, or under a tests/ or test/ folder of the
// project: folders above the project root do not count).
func isTestFile(u *pyparse.Unit) bool {
	path := u.Module.Path
	if r, ok := u.Project.(interface{ ProjectRoot() string }); ok {
		if abs, err := filepath.Abs(path); err == nil {
			if rel, err := filepath.Rel(r.ProjectRoot(), abs); err == nil && !strings.HasPrefix(rel, "..") {
				path = rel
			}
		}
	}
	return testFile(path)
}

// fnBody is the body of a def or lambda: default values and annotations
// are evaluated on the driver when the function is defined, and only
// their values travel with it.
func fnBody(m *pyparse.Module, fn pyparse.NodeID) pyparse.NodeID {
	if b := m.Child(fn, pyparse.FBody); b >= 0 {
		return b
	}
	return fn
}
