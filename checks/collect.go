package checks

import (
	"fmt"
	"strings"

	"github.com/sparklint/sparklint/checks/sparktype"
	"github.com/sparklint/sparklint/pyparse"
	"golang.org/x/tools/go/analysis"
)

// UnboundedCollect is SPK301.
var UnboundedCollect = register(&Rule{
	Code:    "SPK301",
	Name:    "unbounded-collect",
	Summary: "`collect()`/`toPandas()`/`collectAsMap()` of a whole dataset read from a source pulls it into driver memory.",
	WhatItDoes: "Flags `collect()`, `toPandas()` and `collectAsMap()` on a DataFrame or RDD whose lineage starts at a data source " +
		"(`spark.read.*`, `spark.table`, `spark.sql`, `sc.textFile` and other Hadoop reads, Glue catalog reads) with no bounding step on the way: " +
		"`limit`, `take`/`head`/`first`/`tail`, a global or grouped aggregation, `reduceByKey` & co., or `sample` with a literal fraction of at most 1%.",
	WhyBad: "Every row travels to the driver and is held there at once, as Python objects (several times the size of the data on disk). " +
		"A table that fits today grows until the driver dies with an out-of-memory error or `spark.driver.maxResultSize` aborts the job.",
	Example: `events = spark.read.parquet("s3://lake/events/")
rows = events.filter(events.country == "NL").collect()`,
	UseInstead: `rows = events.filter(events.country == "NL").limit(1000).collect()
# or iterate partition by partition:
for row in events.filter(events.country == "NL").toLocalIterator():
    ...`,
	FixSafety:   "No fix: the right bound depends on the job.",
	KnownLimits: "Lineage is followed through assignments, method chains and project functions that return DataFrames; data whose source is unknown (a function parameter) is not flagged. Test files are not checked.",
	Fix:         FixNone,
	Triggers:    []string{"collect", "toPandas"},
	Analyzer: &analysis.Analyzer{
		Name:     "SPK301",
		Doc:      "flags collecting a whole source dataset to the driver",
		Requires: []*analysis.Analyzer{pyparse.Analyzer, sparktype.Analyzer},
		Run:      runUnboundedCollect,
	},
})

var collecting = map[string]bool{"collect": true, "toPandas": true, "collectAsMap": true}

func runUnboundedCollect(pass *analysis.Pass) (any, error) {
	m := unit(pass).Module
	if isTestFile(unit(pass)) {
		return nil, nil
	}
	ti := types(pass)
	for id := range m.Nodes {
		call := pyparse.NodeID(id)
		if m.Kind(call) != pyparse.KCall {
			continue
		}
		recv, method, ok := methodCall(m, call)
		if !ok || !collecting[method] {
			continue
		}
		if method == "collectAsMap" && len(m.NamedChildren(m.Child(call, pyparse.FArguments))) > 0 {
			continue
		}
		rt := ti.TypeOf(recv)
		if (rt.Kind != sparktype.DataFrame && rt.Kind != sparktype.RDD) || rt.Lin == nil {
			continue
		}
		l := rt.Lin
		if !l.Source.Valid() || l.Bounded || l.Local || l.Streaming {
			continue
		}
		src := describeSource(l.Source, m)
		what := "DataFrame"
		if rt.Kind == sparktype.RDD {
			what = "RDD"
		}
		report(pass, callSpan(m, call),
			fmt.Sprintf("`%s()` brings every row of the %s read by %s into driver memory: bound it first (`limit(n)`, `take(n)`, an aggregation) or iterate with `toLocalIterator()`", method, what, src),
			related(locSpan(l.Source), "the data is read here"))
	}
	return nil, nil
}

// describeSource names a source call for messages: "`spark.read.parquet(...)` at line 12".
func describeSource(l sparktype.Loc, from *pyparse.Module) string {
	m := l.M
	text := m.Text(m.Child(l.N, pyparse.FFunction))
	text = strings.Join(strings.Fields(text), "")
	if len(text) > 60 {
		text = "..." + text[len(text)-57:]
	}
	return fmt.Sprintf("`%s(...)` at %s", text, l.Where(from))
}
