package checks

import (
	"fmt"
	"sort"
	"strings"

	"github.com/sparklint/sparklint/checks/sparktype"
	"github.com/sparklint/sparklint/pyparse"
	"golang.org/x/tools/go/analysis"
)

// UDFReplaceableByBuiltin is SPK401.
var UDFReplaceableByBuiltin = register(&Rule{
	Code:    "SPK401",
	Name:    "udf-replaceable-by-builtin",
	Summary: "A Python UDF does only what built-in Spark SQL functions do.",
	WhatItDoes: "Flags a Python UDF (`@udf`, `udf(f, T)`, `F.udf(...)`, `spark.udf.register(\"name\", f)`) whose body is one expression — " +
		"optionally after a `None` guard on its parameters — made only of operations built-in functions express: string methods " +
		"(lower, upper, strip, replace, split, startswith, slicing...), arithmetic, comparisons, boolean logic, `in (literals)`, abs/round, casts, " +
		"`x or default`, conditional expressions, concatenation, `re.sub/match/search`, `datetime.strptime`, `json.loads(x)[key]`, or the identity. The message names the built-ins to use.",
	WhyBad: "Every row a Python UDF sees is serialised from the JVM to a Python worker and back, and the optimizer cannot see inside it: " +
		"no predicate pushdown, no code generation, no constant folding. The same logic in built-in functions runs in the JVM, often 10x faster, and handles NULL natively.",
	Example: `@udf(returnType=StringType())
def clean_email(s):
    if s is None:
        return None
    return s.strip().lower()

df = df.withColumn("email", clean_email(F.col("email")))`,
	UseInstead:  `df = df.withColumn("email", F.lower(F.trim(F.col("email"))))`,
	FixSafety:   "An unsafe fix rewrites the call sites when the UDF is a chain of lower/upper/strip/lstrip/rstrip/title/len and every use is a call in the same file. It is unsafe because the edges differ: `strip()` removes all whitespace while `trim` removes spaces; Python truthiness, `str(None)` and casts differ from `coalesce` and `cast` on NULL and malformed input.",
	KnownLimits: "pandas_udf and UDTFs are not flagged; neither are bodies with loops, try/except, several statements, lookups in captured or broadcast dicts, or calls into other libraries.",
	Fix:         FixSometimes,
	Triggers:    []string{"udf"},
	Analyzer: &analysis.Analyzer{
		Name:     "SPK401",
		Doc:      "flags Python UDFs that built-in functions replace",
		Requires: []*analysis.Analyzer{pyparse.Analyzer, sparktype.Analyzer},
		Run:      runUDFBuiltin,
	},
})

func runUDFBuiltin(pass *analysis.Pass) (any, error) {
	m := unit(pass).Module
	ti := types(pass)
	for id := range m.Nodes {
		n := pyparse.NodeID(id)
		switch m.Kind(n) {
		case pyparse.KDecorator:
			expr := m.FirstNamed(n)
			if m.Kind(expr) == pyparse.KCall {
				expr = m.Child(expr, pyparse.FFunction)
			}
			if t := ti.TypeOf(expr); t.Kind != sparktype.Function || t.Name != "pyspark.sql.functions.udf" {
				continue
			}
			def := m.Child(m.Parent(n), pyparse.FDefinition)
			if m.Kind(def) != pyparse.KFunctionDefinition {
				continue
			}
			checkUDF(pass, m, ti, nodeSpan(m, n), def, m.Text(m.Child(def, pyparse.FName)), m.FirstNamed(n))
		case pyparse.KCall:
			callee := m.Child(n, pyparse.FFunction)
			t := ti.TypeOf(callee)
			var f pyparse.NodeID
			name := ""
			switch {
			case t.Kind == sparktype.Function && t.Name == "pyspark.sql.functions.udf":
				f = sparktype.Arg(m, n, 0, "f")
				if p := m.Parent(n); m.Kind(p) == pyparse.KAssignment {
					if left := m.Child(p, pyparse.FLeft); m.Kind(left) == pyparse.KIdentifier {
						name = m.Text(left)
					}
				}
			case t.Kind == sparktype.Method && t.Name == "register" && t.Recv != nil && t.Recv.Kind == sparktype.UDFRegistration:
				f = sparktype.Arg(m, n, 1, "f")
			default:
				continue
			}
			def := udfBody(m, ti, f)
			if def < 0 {
				continue
			}
			checkUDF(pass, m, ti, callSpanOrCall(m, n), def, name, n)
		}
	}
	return nil, nil
}

func callSpanOrCall(m *pyparse.Module, call pyparse.NodeID) span {
	if m.Kind(m.Child(call, pyparse.FFunction)) == pyparse.KAttribute {
		return callSpan(m, call)
	}
	return nodeSpan(m, call)
}

// udfBody resolves the function argument of udf(...)/register(...) to a
// lambda or def in this file.
func udfBody(m *pyparse.Module, ti *sparktype.Info, f pyparse.NodeID) pyparse.NodeID {
	f = m.Unparen(f)
	switch m.Kind(f) {
	case pyparse.KLambda:
		return f
	case pyparse.KIdentifier:
		t := ti.TypeOf(f)
		if (t.Kind == sparktype.Function || t.Kind == sparktype.UDF) && t.Def.M == m && t.Recv == nil {
			// A def that is itself decorated with @udf is checked at its decorator.
			if t.Kind == sparktype.UDF {
				return pyparse.NoNode
			}
			return t.Def.N
		}
	}
	return pyparse.NoNode
}

func checkUDF(pass *analysis.Pass, m *pyparse.Module, ti *sparktype.Info, at span, fn pyparse.NodeID, name string, decl pyparse.NodeID) {
	params := map[string]bool{}
	var paramList []string
	for _, p := range m.NamedChildren(m.Child(fn, pyparse.FParameters)) {
		if m.Kind(p) != pyparse.KIdentifier {
			return // defaults, *args, annotations with defaults: keep it simple and silent
		}
		params[m.Text(p)] = true
		paramList = append(paramList, m.Text(p))
	}
	if len(params) == 0 {
		return
	}
	expr := udfExpression(m, fn, params)
	if expr < 0 {
		return
	}
	c := &udfScan{m: m, params: params, uses: map[string]bool{}, stringResult: returnsString(m, decl)}
	if !c.ok(expr) {
		return
	}
	if isLiteral(m, expr) {
		c.uses["`F.lit` (the UDF returns a constant)"] = true
	}
	repl := c.replacements()
	if len(repl) == 0 {
		return
	}
	label := "This Python UDF"
	if name != "" {
		label = "Python UDF `" + name + "`"
	} else if m.Kind(fn) == pyparse.KFunctionDefinition {
		label = "Python UDF `" + m.Text(m.Child(fn, pyparse.FName)) + "`"
	}
	d := analysis.Diagnostic{Pos: at.pos(), End: at.endPos(),
		Message: fmt.Sprintf("%s only does what built-in functions do: use %s — built-ins run in the JVM, without shipping every row to a Python worker", label, strings.Join(repl, ", "))}
	if fix := udfFix(m, fn, expr, name, paramList); fix != nil {
		d.Category = UnsafeFix
		d.SuggestedFixes = []analysis.SuggestedFix{*fix}
	}
	pass.Report(d)
}

// udfExpression returns the single expression a UDF computes, after an
// optional None guard, or NoNode when the body is anything else.
func udfExpression(m *pyparse.Module, fn pyparse.NodeID, params map[string]bool) pyparse.NodeID {
	body := m.Child(fn, pyparse.FBody)
	if m.Kind(fn) == pyparse.KLambda {
		return body
	}
	stmts := m.NamedChildren(body)
	if len(stmts) > 0 && m.Kind(stmts[0]) == pyparse.KExpressionStatement && m.Kind(m.FirstNamed(stmts[0])) == pyparse.KString {
		stmts = stmts[1:] // docstring
	}
	for len(stmts) > 1 && isNoneGuard(m, stmts[0], params) {
		stmts = stmts[1:]
	}
	if len(stmts) != 1 || m.Kind(stmts[0]) != pyparse.KReturnStatement {
		return pyparse.NoNode
	}
	return m.FirstNamed(stmts[0])
}

// isNoneGuard matches `if p is None [or q is None]: return <literal>`.
func isNoneGuard(m *pyparse.Module, st pyparse.NodeID, params map[string]bool) bool {
	if m.Kind(st) != pyparse.KIfStatement || m.Child(st, pyparse.FAlternative) >= 0 {
		return false
	}
	if !noneTest(m, m.Unparen(m.Child(st, pyparse.FCondition)), params) {
		return false
	}
	body := m.NamedChildren(m.Child(st, pyparse.FConsequence))
	if len(body) != 1 || m.Kind(body[0]) != pyparse.KReturnStatement {
		return false
	}
	v := m.FirstNamed(body[0])
	return v < 0 || isLiteral(m, v)
}

func noneTest(m *pyparse.Module, c pyparse.NodeID, params map[string]bool) bool {
	switch m.Kind(c) {
	case pyparse.KBooleanOperator:
		return m.TextIs(m.Child(c, pyparse.FOperator), "or") && noneTest(m, m.Unparen(m.Child(c, pyparse.FLeft)), params) && noneTest(m, m.Unparen(m.Child(c, pyparse.FRight)), params)
	case pyparse.KComparisonOperator:
		parts := m.Children(c)
		return len(parts) == 3 && params[m.Text(parts[0])] && (m.TextIs(parts[1], "is") || m.TextIs(parts[1], "==")) && m.Kind(parts[2]) == pyparse.KNone
	}
	return false
}

func isLiteral(m *pyparse.Module, n pyparse.NodeID) bool {
	switch m.Kind(m.Unparen(n)) {
	case pyparse.KString, pyparse.KInteger, pyparse.KFloat, pyparse.KTrue, pyparse.KFalse, pyparse.KNone:
		return m.Kind(n) != pyparse.KString || !hasInterpolation(m, n)
	case pyparse.KUnaryOperator:
		return isLiteral(m, m.Child(m.Unparen(n), pyparse.FArgument))
	}
	return false
}

func hasInterpolation(m *pyparse.Module, s pyparse.NodeID) bool {
	for c := m.N(s).FirstChild; c != pyparse.NoNode; c = m.N(c).NextSibling {
		if m.Kind(c) == pyparse.KInterpolation {
			return true
		}
	}
	return false
}

// udfScan checks that an expression uses only operations with built-in
// equivalents and records which.
type udfScan struct {
	// stringResult is set when the UDF declares a string return type.
	stringResult bool
	m            *pyparse.Module
	params       map[string]bool
	uses         map[string]bool
	depth        int
}

var stringMethods = map[string]string{
	"lower": "`F.lower`", "upper": "`F.upper`", "strip": "`F.trim`", "lstrip": "`F.ltrim`", "rstrip": "`F.rtrim`",
	"title": "`F.initcap`", "replace": "`F.replace`/`F.regexp_replace`", "split": "`F.split`",
	"startswith": "`Column.startswith`", "endswith": "`Column.endswith`", "date": "`F.to_date`",
}

var builtinCalls = map[string]string{
	"len": "`F.length`", "abs": "`F.abs`", "round": "`F.round`", "int": "`Column.cast(\"int\")`",
	"float": "`Column.cast(\"double\")`", "str": "`Column.cast(\"string\")`", "bool": "`Column.cast(\"boolean\")`",
}

var libraryCalls = map[string]string{
	"re.sub": "`F.regexp_replace`", "re.match": "`Column.rlike`/`F.regexp_extract`", "re.search": "`Column.rlike`/`F.regexp_extract`",
	"re.fullmatch": "`Column.rlike`", "datetime.datetime.strptime": "`F.to_date`/`F.to_timestamp`",
}

func (c *udfScan) ok(n pyparse.NodeID) bool {
	m := c.m
	c.depth++
	defer func() { c.depth-- }()
	if c.depth > 50 {
		return false
	}
	n = m.Unparen(n)
	switch m.Kind(n) {
	case pyparse.KIdentifier:
		if c.params[m.Text(n)] {
			if c.depth == 1 {
				c.uses["`the column itself` (the UDF returns its input)"] = true
			}
			return true
		}
		return false
	case pyparse.KInteger, pyparse.KFloat, pyparse.KTrue, pyparse.KFalse, pyparse.KNone:
		return true
	case pyparse.KString:
		for ch := m.N(n).FirstChild; ch != pyparse.NoNode; ch = m.N(ch).NextSibling {
			if m.Kind(ch) == pyparse.KInterpolation {
				c.uses["`F.concat`/`F.format_string`"] = true
				for _, e := range m.NamedChildren(ch) {
					if m.Kind(e) != pyparse.KString && !c.ok(e) && m.Kind(e) != pyparse.KIdentifier {
						return false
					}
					if m.Kind(e) == pyparse.KIdentifier && !c.params[m.Text(e)] {
						return false
					}
				}
			}
		}
		return true
	case pyparse.KConcatenatedString:
		return true
	case pyparse.KBinaryOperator:
		op := m.Text(m.Child(n, pyparse.FOperator))
		strOperand := m.Kind(m.Unparen(m.Child(n, pyparse.FLeft))) == pyparse.KString || m.Kind(m.Unparen(m.Child(n, pyparse.FRight))) == pyparse.KString
		switch {
		case op == "%" && m.Kind(m.Unparen(m.Child(n, pyparse.FLeft))) == pyparse.KString:
			c.uses["`F.format_string`"] = true
		case op == "+" && (strOperand || c.stringResult):
			c.uses["`F.concat`"] = true
		case op == "+":
			// Spark's + casts strings to numbers: name both.
			c.uses["column arithmetic (`+ - * /`), or `F.concat` for strings"] = true
		default:
			c.uses["column arithmetic (`+ - * /`)"] = true
		}
		return c.ok(m.Child(n, pyparse.FLeft)) && c.ok(m.Child(n, pyparse.FRight))
	case pyparse.KUnaryOperator:
		return c.ok(m.Child(n, pyparse.FArgument))
	case pyparse.KBooleanOperator:
		op := m.Text(m.Child(n, pyparse.FOperator))
		if op == "or" && (isLiteral(m, m.Child(n, pyparse.FRight)) || m.Kind(m.Unparen(m.Child(n, pyparse.FRight))) == pyparse.KIdentifier) {
			c.uses["`F.coalesce`"] = true
		} else {
			c.uses["`&`/`|` on columns"] = true
		}
		return c.ok(m.Child(n, pyparse.FLeft)) && c.ok(m.Child(n, pyparse.FRight))
	case pyparse.KNotOperator:
		c.uses["`~` on a column"] = true
		return c.ok(m.Child(n, pyparse.FArgument))
	case pyparse.KComparisonOperator:
		parts := m.Children(n)
		for i, p := range parts {
			if !m.N(p).Named {
				continue
			}
			if i >= 2 && (m.TextIs(parts[i-1], "in") || m.TextIs(parts[i-1], "not in")) {
				if !literalCollection(m, p) {
					return false
				}
				if m.Kind(m.Unparen(p)) == pyparse.KString {
					c.uses["`Column.contains`"] = true
				} else {
					c.uses["`Column.isin`"] = true
				}
				continue
			}
			if !c.ok(p) {
				return false
			}
		}
		c.uses["column comparisons"] = true
		return true
	case pyparse.KConditionalExpression:
		c.uses["`F.when(...).otherwise(...)`"] = true
		for _, p := range m.NamedChildren(n) {
			if !c.ok(p) {
				return false
			}
		}
		return true
	case pyparse.KSubscript:
		val := m.Child(n, pyparse.FValue)
		sub := m.Child(n, pyparse.FSubscript)
		if m.Kind(m.Unparen(val)) == pyparse.KCall && sparktype.QualifiedName(m, m.Child(m.Unparen(val), pyparse.FFunction)) == "json.loads" {
			c.uses["`F.get_json_object`"] = true
			args := m.NamedChildren(m.Child(m.Unparen(val), pyparse.FArguments))
			return len(args) == 1 && c.ok(args[0]) && (isLiteral(m, sub))
		}
		if m.Kind(sub) == pyparse.KSlice {
			// x[a:b] is a substring; x[::-1] a reverse; other steps have
			// no built-in.
			if t := m.Text(sub); strings.Count(t, ":") == 2 {
				if strings.ReplaceAll(t, " ", "") != "::-1" {
					return false
				}
				c.uses["`F.reverse`"] = true
				return c.ok(val)
			}
			c.uses["`F.substring`"] = true
			for _, b := range m.NamedChildren(sub) {
				if !isLiteral(m, b) {
					return false
				}
			}
		} else {
			if !isLiteral(m, sub) {
				return false
			}
			c.uses["`F.split(...).getItem`/`F.substring`"] = true
		}
		return c.ok(val)
	case pyparse.KCall:
		callee := m.Child(n, pyparse.FFunction)
		args := m.NamedChildren(m.Child(n, pyparse.FArguments))
		for _, a := range args {
			if m.Kind(a) == pyparse.KKeywordArgument || m.Kind(a) == pyparse.KListSplat || m.Kind(a) == pyparse.KDictionarySplat {
				return false
			}
		}
		if m.Kind(callee) == pyparse.KIdentifier {
			name := m.Text(callee)
			r, ok := builtinCalls[name]
			if !ok || m.Scopes.Reaching(m, callee, name) != nil {
				return false
			}
			if name == "len" && len(args) == 1 && isSplitCall(m, args[0]) {
				r = "`F.size`" // the length of a list
			}
			c.uses[r] = true
			return len(args) >= 1 && c.all(args)
		}
		if q := sparktype.QualifiedName(m, callee); q != "" {
			r, ok := libraryCalls[q]
			if !ok {
				return false
			}
			c.uses[r] = true
			return c.all(args)
		}
		if m.Kind(callee) != pyparse.KAttribute {
			return false
		}
		method := m.Text(m.Child(callee, pyparse.FAttribute))
		r, ok := stringMethods[method]
		if !ok {
			return false
		}
		c.uses[r] = true
		return c.all(args) && c.ok(m.Child(callee, pyparse.FObject))
	}
	return false
}

// all reports whether every node of ns passes ok.
func (c *udfScan) all(ns []pyparse.NodeID) bool {
	for _, n := range ns {
		if !c.ok(n) {
			return false
		}
	}
	return true
}

func literalCollection(m *pyparse.Module, n pyparse.NodeID) bool {
	n = m.Unparen(n)
	switch m.Kind(n) {
	case pyparse.KTuple, pyparse.KList, pyparse.KSet:
		for _, e := range m.NamedChildren(n) {
			if !isLiteral(m, e) {
				return false
			}
		}
		return true
	case pyparse.KString:
		return !hasInterpolation(m, n)
	}
	return false
}

func (c *udfScan) replacements() []string {
	out := make([]string, 0, len(c.uses))
	for r := range c.uses {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// simpleChains maps string methods to the built-in that computes the same
// for the fix.
var simpleChains = map[string]string{
	"lower": "lower", "upper": "upper", "strip": "trim", "lstrip": "ltrim", "rstrip": "rtrim", "title": "initcap",
}

// udfFix rewrites the call sites of a UDF that is a chain of simple
// string functions of its only parameter, when every use of its name in
// the file is a call with one argument.
func udfFix(m *pyparse.Module, fn, expr pyparse.NodeID, name string, params []string) *analysis.SuggestedFix {
	if name == "" || len(params) != 1 {
		return nil
	}
	// The chain, outermost call first.
	var chain []string
	e := m.Unparen(expr)
	for {
		if m.Kind(e) == pyparse.KIdentifier && m.Text(e) == params[0] {
			break
		}
		if m.Kind(e) != pyparse.KCall || len(m.NamedChildren(m.Child(e, pyparse.FArguments))) > 1 {
			return nil
		}
		callee := m.Child(e, pyparse.FFunction)
		args := m.NamedChildren(m.Child(e, pyparse.FArguments))
		switch {
		case m.Kind(callee) == pyparse.KIdentifier && m.TextIs(callee, "len") && len(args) == 1:
			chain = append(chain, "length")
			e = m.Unparen(args[0])
		case m.Kind(callee) == pyparse.KAttribute && len(args) == 0 && simpleChains[m.Text(m.Child(callee, pyparse.FAttribute))] != "":
			chain = append(chain, simpleChains[m.Text(m.Child(callee, pyparse.FAttribute))])
			e = m.Unparen(m.Child(callee, pyparse.FObject))
		default:
			return nil
		}
	}
	if len(chain) == 0 {
		return nil
	}
	alias := functionsAlias(m)
	if alias == "" {
		return nil
	}
	// Every use of the name must be a one-argument call.
	var sites []pyparse.NodeID
	defName := pyparse.NoNode
	if m.Kind(fn) == pyparse.KFunctionDefinition {
		defName = m.Child(fn, pyparse.FName)
	}
	ok := true
	m.Walk(m.Root(), func(n pyparse.NodeID) bool {
		if !ok || m.Kind(n) != pyparse.KIdentifier || !m.TextIs(n, name) || n == defName {
			return ok
		}
		p := m.Parent(n)
		if m.Kind(p) == pyparse.KAttribute && m.N(n).Field == pyparse.FAttribute {
			return true
		}
		if m.Kind(p) == pyparse.KAssignment && m.Child(p, pyparse.FLeft) == n {
			return true // name = udf(...)
		}
		if m.Kind(p) == pyparse.KCall && m.N(n).Field == pyparse.FFunction {
			args := m.NamedChildren(m.Child(p, pyparse.FArguments))
			if len(args) == 1 && m.Kind(args[0]) != pyparse.KKeywordArgument && m.Kind(args[0]) != pyparse.KListSplat {
				sites = append(sites, p)
				return true
			}
		}
		ok = false
		return false
	})
	if !ok || len(sites) == 0 {
		return nil
	}
	var edits []analysis.TextEdit
	for _, s := range sites {
		arg := m.NamedChildren(m.Child(s, pyparse.FArguments))[0]
		text := m.Text(arg)
		if m.Kind(arg) == pyparse.KString {
			text = alias + ".col(" + text + ")"
		}
		text = wrapChain(alias, chain, text)
		edits = append(edits, analysis.TextEdit{Pos: m.Pos(m.N(s).Start), End: m.Pos(m.N(s).End), NewText: []byte(text)})
	}
	return &analysis.SuggestedFix{Message: "Replace the calls of `" + name + "` with built-in functions (unsafe: NULL, whitespace and casts behave differently at the edges)", TextEdits: edits}
}

// wrapChain applies the chain (outermost call first, as read from the
// return expression) to text.
func wrapChain(alias string, chain []string, text string) string {
	for i := len(chain) - 1; i >= 0; i-- {
		text = alias + "." + chain[i] + "(" + text + ")"
	}
	return text
}

// functionsAlias returns the name under which the file imports
// pyspark.sql.functions ("F", "sf", "functions"), or "".
func functionsAlias(m *pyparse.Module) string {
	for _, bd := range m.Scopes.Imports {
		if bd.Scope != m.Scopes.Module || bd.Import.Level != 0 {
			continue
		}
		if q := bd.Import.Qualified(); q == "pyspark.sql.functions" && (bd.Import.Full == "" || bd.Name != "pyspark") {
			return bd.Name
		}
	}
	return ""
}

func isSplitCall(m *pyparse.Module, n pyparse.NodeID) bool {
	n = m.Unparen(n)
	if m.Kind(n) != pyparse.KCall {
		return false
	}
	fn := m.Child(n, pyparse.FFunction)
	return m.Kind(fn) == pyparse.KAttribute && m.TextIs(m.Child(fn, pyparse.FAttribute), "split")
}

// returnsString reports whether a udf decorator or call declares a string
// return type ("string", StringType()).
func returnsString(m *pyparse.Module, call pyparse.NodeID) bool {
	if m.Kind(call) != pyparse.KCall {
		return false
	}
	rt := sparktype.Arg(m, call, -1, "returnType")
	if rt < 0 {
		pos, _ := sparktype.Args(m, call)
		for _, a := range pos {
			if m.Kind(a) == pyparse.KString || m.Kind(a) == pyparse.KCall {
				rt = a
			}
		}
	}
	t := strings.ToLower(m.Text(rt))
	return strings.Contains(t, "string")
}
