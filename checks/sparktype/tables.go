package sparktype

import (
	_ "embed"
	"strings"
)

//go:generate cp ../../../shared/pyspark/api.tsv ../../../shared/pyspark/functions.tsv ../../../shared/pyspark/actions.tsv data/

//go:embed data/api.tsv
var apiTSV string

//go:embed data/functions.tsv
var functionsTSV string

// Member is one row of the PySpark API table.
type Member struct {
	Class, Name string
	Kind        string // method, property, classmethod, staticmethod, attribute
	Returns     string // returns_kind, e.g. "DataFrame", "Row|list[Row]"
}

// IsCallable reports whether the member is called (methods) rather than read.
func (m *Member) IsCallable() bool {
	return m.Kind == "method" || m.Kind == "classmethod" || m.Kind == "staticmethod"
}

var (
	// members maps class → member name → row.
	members = map[string]map[string]*Member{}
	// functionReturns maps a pyspark.sql.functions name to its returns_kind.
	functionReturns = map[string]string{}
)

// classParents lists the classes whose members a class also has.
var classParents = map[string][]string{
	"PipelinedRDD": {"RDD"},
	"HiveContext":  {"SQLContext"},
	"DataFrame":    {"PandasMapOpsMixin"},
	"GroupedData":  {"PandasGroupedOpsMixin"},
}

func init() {
	rows := tsvRows(apiTSV)
	head := rows[0]
	col := func(name string) int {
		for i, h := range head {
			if h == name {
				return i
			}
		}
		panic("sparktype: api.tsv has no column " + name)
	}
	ci, cm, ck, cr := col("class"), col("member"), col("kind"), col("returns_kind")
	for _, r := range rows[1:] {
		c := r[ci]
		if members[c] == nil {
			members[c] = map[string]*Member{}
		}
		members[c][r[cm]] = &Member{Class: c, Name: r[cm], Kind: r[ck], Returns: r[cr]}
	}
	rows = tsvRows(functionsTSV)
	head = rows[0]
	cn, crk := -1, -1
	for i, h := range head {
		switch h {
		case "name":
			cn = i
		case "returns_kind":
			crk = i
		}
	}
	for _, r := range rows[1:] {
		functionReturns[r[cn]] = r[crk]
	}
}

func tsvRows(s string) [][]string {
	var out [][]string
	for line := range strings.SplitSeq(strings.TrimRight(s, "\n"), "\n") {
		out = append(out, strings.Split(line, "\t"))
	}
	return out
}

// Lookup returns the member name of class (inherited members included).
func Lookup(class, name string) *Member {
	if m := members[class][name]; m != nil {
		return m
	}
	for _, p := range classParents[class] {
		if m := Lookup(p, name); m != nil {
			return m
		}
	}
	return nil
}

// IsFunction reports whether name is a public function of
// pyspark.sql.functions.
func IsFunction(name string) bool {
	_, ok := functionReturns[name]
	return ok
}

//go:embed data/actions.tsv
var actionsTSV string

// jobs maps class → member → whether calling it runs a Spark job ("yes"
// or "conditional" in actions.tsv).
var jobs = map[string]map[string]bool{}

func init() {
	rows := tsvRows(actionsTSV)
	for _, r := range rows[1:] {
		if len(r) < 4 {
			continue
		}
		if jobs[r[0]] == nil {
			jobs[r[0]] = map[string]bool{}
		}
		jobs[r[0]][r[1]] = r[3] == "yes"
	}
}

// RunsJob reports whether class.member is an action that runs a Spark job.
func RunsJob(class, member string) bool {
	return jobs[class][member]
}
