// Package sparktype infers what the expressions of a Python module are in
// Spark terms: SparkSession, DataFrame (batch or streaming, with lineage
// facts), RDD, Column, UDF and the rest, from imports and aliases,
// assignments followed through the module, method chains typed by an
// embedded table of the PySpark API (data/api.tsv), annotations, and the
// returns of project functions (followed with the caller's arguments).
//
// Unknown stays unknown: rules fire only on what this package has shown to
// be Spark.
package sparktype

import (
	"reflect"

	"github.com/sparklint/sparklint/checks/settings"
	"github.com/sparklint/sparklint/pyparse"
	"golang.org/x/tools/go/analysis"
)

// Analyzer provides the *Info of the file being checked.
var Analyzer = &analysis.Analyzer{
	Name:       "sparktype",
	Doc:        "infers Spark types and DataFrame lineage of Python expressions",
	Requires:   []*analysis.Analyzer{pyparse.Analyzer, settings.Analyzer},
	ResultType: reflect.TypeFor[*Info](),
	Run: func(pass *analysis.Pass) (any, error) {
		u := pass.ResultOf[pyparse.Analyzer].(*pyparse.Unit)
		in := New(u.Module, u.Project)
		in.SetDatabricks(settings.Of(pass).Databricks)
		return in, nil
	},
}
