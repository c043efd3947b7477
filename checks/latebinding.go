package checks

import (
	"fmt"
	"strings"

	"github.com/sparklint/sparklint/checks/executor"
	"github.com/sparklint/sparklint/checks/sparktype"
	"github.com/sparklint/sparklint/pyparse"
	"golang.org/x/tools/go/analysis"
)

// ExecutorClosureLateBinding is SPK102.
var ExecutorClosureLateBinding = register(&Rule{
	Code:    "SPK102",
	Name:    "executor-closure-late-binding",
	Summary: "A function shipped to executors reads a driver variable that is rebound before the action that runs it.",
	WhatItDoes: "Flags executor code (an RDD or DStream transformation's function) that reads a variable of the driver which is rebound after the shipping call " +
		"and before the action that runs it — typically lambdas built in a loop over a variable and run after the loop.",
	WhyBad: "RDD transformations are lazy: Spark pickles the function, with the current values of the variables it reads, only when an action runs. " +
		"Every lambda built in the loop then sees the variable's last value, and the job silently computes the wrong thing.",
	Example: `filtered = []
for threshold in (10, 100, 1000):
    filtered.append(rdd.filter(lambda x: x > threshold))
counts = [r.count() for r in filtered]  # all use threshold == 1000`,
	UseInstead: `for threshold in (10, 100, 1000):
    filtered.append(rdd.filter(lambda x, t=threshold: x > t))`,
	FixSafety:   "No fix.",
	KnownLimits: "Only RDD and DStream transformations are checked: DataFrame UDFs and pandas functions are pickled when they are applied. Values bound at definition (`lambda x, t=t:`, `functools.partial`, a local copy) are fine.",
	Fix:         FixNone,
	Triggers:    []string{"pyspark", "spark"},
	Analyzer: &analysis.Analyzer{
		Name:     "SPK102",
		Doc:      "flags executor closures over variables rebound before the action",
		Requires: []*analysis.Analyzer{pyparse.Analyzer, sparktype.Analyzer, executor.Analyzer},
		Run:      runLateBinding,
	},
})

func runLateBinding(pass *analysis.Pass) (any, error) {
	ex := execInfo(pass)
	m := unit(pass).Module
	for _, f := range ex.Funcs {
		if !f.Direct || f.Fn.M != m || f.Ship.Call.M != m {
			continue
		}
		class := f.Ship.Via[:max(0, strings.IndexByte(f.Ship.Via, '.'))]
		if class != "RDD" && class != "DStream" && class != "RDDBarrier" && class != "PipelinedRDD" {
			continue
		}
		call := f.Ship.Call.N
		if m.Kind(call) != pyparse.KCall || ranByChain(m, call) {
			continue
		}
		callScope := m.Scopes.ScopeOf(call)
		seen := map[string]bool{}
		for _, c := range executor.Captures(m, f.Fn.N) {
			if seen[c.Name] || c.Scope != callScope {
				continue
			}
			rebind, inLoop := lateRebinding(m, call, c)
			if rebind == nil {
				continue
			}
			seen[c.Name] = true
			at := sparktype.Loc{M: m, N: rebind.Ident}.Where(m)
			how := "rebound at " + at
			if inLoop {
				how = "rebound by the next iteration of the loop (" + at + ")"
			}
			report(pass, nodeSpan(m, c.Ident),
				fmt.Sprintf("`%s` is read by a function shipped with %s but %s before an action runs it: Spark pickles the function at the action, so it sees the later value; bind it now (a default argument `%s=%s`, or functools.partial)",
					c.Name, f.Ship.Describe(m), how, c.Name, c.Name),
				related(nodeSpan(m, rebind.Ident), "rebound here"))
		}
	}
	return nil, nil
}

// ranByChain reports whether the shipping call's own expression runs an
// action (rdd.filter(f).count(), or the shipping method is itself one).
func ranByChain(m *pyparse.Module, call pyparse.NodeID) bool {
	for n := call; ; {
		if m.Kind(n) == pyparse.KCall {
			if _, method, ok := methodCall(m, n); ok && (sparktype.RunsJob("RDD", method) || method == "foreachRDD") {
				return true
			}
		}
		p := m.Parent(n)
		switch {
		case m.Kind(p) == pyparse.KAttribute && m.N(n).Field == pyparse.FObject:
			n = p
		case m.Kind(p) == pyparse.KCall && m.N(n).Field == pyparse.FFunction:
			n = p
		default:
			return false
		}
	}
}

// lateRebinding returns the rebinding of a captured variable that happens
// after the shipping call and before an action runs the function, or nil.
func lateRebinding(m *pyparse.Module, call pyparse.NodeID, c executor.Capture) (*pyparse.Binding, bool) {
	stmt := statementOf(m, call)
	// A comprehension builds every element before any is run:
	// [rdd.map(lambda x: x + i) for i in range(3)].
	if c.Scope.Kind == pyparse.ComprehensionScope {
		for _, bd := range c.Bindings {
			if bd.Kind == pyparse.BindComprehension {
				return bd, true
			}
		}
	}
	// In a loop that rebinds the variable, the next iteration rebinds it
	// unless this iteration runs the function.
	if loop := enclosingLoop(m, call); loop >= 0 {
		for _, bd := range c.Bindings {
			if bd.Stmt == loop || (m.Contains(loop, bd.Stmt) && bd.Kind != pyparse.BindParam) {
				if usedLaterInLoop(m, loop, stmt) {
					return nil, false
				}
				return bd, true
			}
		}
	}
	// Straight-line code: x = rdd.map(f); v = ...; x.count()
	result := assignedName(m, stmt)
	if result == "" {
		return nil, false
	}
	for _, bd := range c.Bindings {
		if bd.Ident < 0 || m.N(bd.Stmt).Start <= m.N(stmt).End {
			continue
		}
		if m.Scopes.ScopeOf(bd.Stmt) != m.Scopes.ScopeOf(call) || exclusiveBranches(m, stmt, bd.Stmt) {
			continue
		}
		if actionOn(m, result, m.N(bd.Stmt).End, m.Scopes.ScopeOf(call)) {
			return bd, false
		}
	}
	return nil, false
}

// statementOf returns the statement that holds n.
func statementOf(m *pyparse.Module, n pyparse.NodeID) pyparse.NodeID {
	for p := n; p >= 0; p = m.Parent(p) {
		if m.Kind(m.Parent(p)) == pyparse.KBlock || m.Kind(m.Parent(p)) == pyparse.KModule {
			return p
		}
	}
	return n
}

// enclosingLoop returns the innermost for/while loop holding n in the same
// function, or NoNode.
func enclosingLoop(m *pyparse.Module, n pyparse.NodeID) pyparse.NodeID {
	for p := m.Parent(n); p >= 0; p = m.Parent(p) {
		switch m.Kind(p) {
		case pyparse.KForStatement, pyparse.KWhileStatement:
			if body := m.Child(p, pyparse.FBody); body >= 0 && m.Contains(body, n) {
				return p
			}
		case pyparse.KFunctionDefinition, pyparse.KLambda, pyparse.KClassDefinition:
			return pyparse.NoNode
		}
	}
	return pyparse.NoNode
}

// assignedName returns the name a statement assigns ("" for others).
func assignedName(m *pyparse.Module, stmt pyparse.NodeID) string {
	a := m.FirstNamed(stmt)
	if m.Kind(stmt) == pyparse.KExpressionStatement && m.Kind(a) == pyparse.KAssignment {
		if left := m.Child(a, pyparse.FLeft); m.Kind(left) == pyparse.KIdentifier {
			return m.Text(left)
		}
	}
	return ""
}

// usedLaterInLoop reports whether the result of stmt (the name it
// assigns) may be run later in the same iteration of loop: an action on
// it, or handing it to code sparklint does not follow (run(r)). Storing it
// (pending.append(r), d[k] = r, acc = acc.union(r)) does not run it.
func usedLaterInLoop(m *pyparse.Module, loop, stmt pyparse.NodeID) bool {
	name := assignedName(m, stmt)
	if name == "" {
		return false
	}
	body := m.Child(loop, pyparse.FBody)
	scope := m.Scopes.ScopeOf(stmt)
	used := false
	m.Walk(body, func(n pyparse.NodeID) bool {
		if used || m.Kind(n) != pyparse.KIdentifier || m.N(n).Start < m.N(stmt).End || !m.TextIs(n, name) || m.Scopes.ScopeOf(n) != scope {
			return !used
		}
		if !storesOnly(m, n) {
			used = true
		}
		return !used
	})
	return used
}

// storing are the calls that keep an RDD for later without running it.
var storing = map[string]bool{"append": true, "extend": true, "insert": true, "add": true, "appendleft": true, "put": true,
	"setdefault": true, "union": true, "join": true, "cogroup": true, "zip": true, "cartesian": true, "subtract": true,
	"intersection": true, "leftOuterJoin": true, "rightOuterJoin": true, "fullOuterJoin": true}

// storesOnly reports whether the read n of an RDD variable only keeps or
// transforms it, without running it.
func storesOnly(m *pyparse.Module, n pyparse.NodeID) bool {
	p := m.Parent(n)
	switch {
	case m.Kind(p) == pyparse.KAttribute && m.N(n).Field == pyparse.FObject:
		// r.method(...): a job runs it; a transformation or cache keeps it.
		method := m.Text(m.Child(p, pyparse.FAttribute))
		return !sparktype.RunsJob("RDD", method)
	case m.Kind(p) == pyparse.KArgumentList:
		call := m.Parent(p)
		_, method, ok := methodCall(m, call)
		return ok && storing[method]
	case m.Kind(p) == pyparse.KAssignment && m.N(n).Field == pyparse.FRight:
		// d[k] = r, other = r
		return true
	}
	return false
}

// exclusiveBranches reports whether a and b lie in different branches of
// one if statement (or try/except), so that one cannot follow the other.
func exclusiveBranches(m *pyparse.Module, a, b pyparse.NodeID) bool {
	for p := m.Parent(a); p >= 0; p = m.Parent(p) {
		if !m.Contains(p, b) {
			continue
		}
		if m.Kind(p) != pyparse.KIfStatement && m.Kind(p) != pyparse.KTryStatement {
			return false
		}
		branch := func(n pyparse.NodeID) pyparse.NodeID {
			for c := m.N(p).FirstChild; c != pyparse.NoNode; c = m.N(c).NextSibling {
				if m.Contains(c, n) {
					return c
				}
			}
			return pyparse.NoNode
		}
		ba, bb := branch(a), branch(b)
		return ba != bb && ba >= 0 && bb >= 0 && m.Kind(m.Parent(ba)) == m.Kind(p) && (m.N(ba).Field != pyparse.FCondition && m.N(bb).Field != pyparse.FCondition)
	}
	return false
}

// actionOn reports whether an action is called on name after offset.
func actionOn(m *pyparse.Module, name string, after uint32, scope *pyparse.Scope) bool {
	found := false
	m.Walk(scope.Node, func(n pyparse.NodeID) bool {
		if found || m.Kind(n) != pyparse.KCall || m.N(n).Start < after {
			return !found
		}
		recv, method, ok := methodCall(m, n)
		if ok && m.Kind(recv) == pyparse.KIdentifier && m.TextIs(recv, name) && sparktype.RunsJob("RDD", method) {
			found = true
		}
		return !found
	})
	return found
}
