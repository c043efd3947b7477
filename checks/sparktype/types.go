package sparktype

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/sparklint/sparklint/pyparse"
)

// Kind is what an expression is, in Spark terms.
type Kind uint8

// Kinds. Unknown means the analysis could not tell; Other means it knows
// the value is not a Spark object (a literal, a pandas frame, a user
// object...).
const (
	Unknown Kind = iota
	Other
	SparkSession
	Builder
	SparkContext
	SQLContext
	StreamingContext
	DataFrame
	GroupedData
	CogroupedData
	RDD
	RDDBarrier
	DStream
	Column
	Window
	WindowSpec
	Reader
	Writer
	StreamReader
	StreamWriter
	StreamingQuery
	Broadcast
	Accumulator
	UDF
	UDFRegistration
	Catalog
	NaFunctions
	StatFunctions
	Row
	SparkClass   // a Spark class itself (SparkSession, Window, ...): Name says which
	Module       // an imported module: Name is its dotted name
	Function     // a function: Name is its qualified name (library), or Def/Mod for project functions
	Method       // a bound method of a Spark object: Name is the member, Recv the receiver
	Instance     // an instance of a project class: Def is the class
	ProjectClass // a project class: Def is the class
	GlueContext
	GlueReader
	DynamicFrame
)

var kindNames = map[Kind]string{
	Unknown: "unknown", Other: "other", SparkSession: "SparkSession", Builder: "SparkSession.Builder",
	SparkContext: "SparkContext", SQLContext: "SQLContext", StreamingContext: "StreamingContext",
	DataFrame: "DataFrame", GroupedData: "GroupedData", CogroupedData: "CogroupedData", RDD: "RDD",
	RDDBarrier: "RDDBarrier", DStream: "DStream", Column: "Column", Window: "Window", WindowSpec: "WindowSpec",
	Reader: "DataFrameReader", Writer: "DataFrameWriter", StreamReader: "DataStreamReader",
	StreamWriter: "DataStreamWriter", StreamingQuery: "StreamingQuery", Broadcast: "Broadcast",
	Accumulator: "Accumulator", UDF: "UserDefinedFunction", UDFRegistration: "UDFRegistration",
	Catalog: "Catalog", NaFunctions: "DataFrameNaFunctions", StatFunctions: "DataFrameStatFunctions",
	Row: "Row", SparkClass: "class", Module: "module", Function: "function", Method: "method",
	Instance: "instance", ProjectClass: "project class", GlueContext: "GlueContext",
	GlueReader: "GlueContext.create_dynamic_frame", DynamicFrame: "DynamicFrame",
}

func (k Kind) String() string { return kindNames[k] }

// className is the api.tsv class that holds the members of a kind.
var className = map[Kind]string{
	SparkSession: "SparkSession", Builder: "SparkSession.Builder", SparkContext: "SparkContext",
	SQLContext: "SQLContext", StreamingContext: "StreamingContext", DataFrame: "DataFrame",
	GroupedData: "GroupedData", CogroupedData: "PandasCogroupedOps", RDD: "RDD", RDDBarrier: "RDDBarrier",
	DStream: "DStream", Column: "Column", Window: "Window", WindowSpec: "WindowSpec", Reader: "DataFrameReader",
	Writer: "DataFrameWriter", StreamReader: "DataStreamReader", StreamWriter: "DataStreamWriter",
	StreamingQuery: "StreamingQuery", Broadcast: "Broadcast", Accumulator: "Accumulator",
	UDF: "UserDefinedFunction", UDFRegistration: "UDFRegistration", Catalog: "Catalog",
	NaFunctions: "DataFrameNaFunctions", StatFunctions: "DataFrameStatFunctions", Row: "Row",
}

// ClassName returns the PySpark class name of a Spark kind ("" otherwise).
func (k Kind) ClassName() string { return className[k] }

// kindOfReturn maps api.tsv returns_kind values to kinds.
var kindOfReturn = map[string]Kind{
	"SparkSession": SparkSession, "SparkSession.Builder": Builder, "SparkContext": SparkContext,
	"SQLContext": SQLContext, "StreamingContext": StreamingContext, "DataFrame": DataFrame,
	"GroupedData": GroupedData, "CogroupedData": CogroupedData, "RDD": RDD, "RDDBarrier": RDDBarrier,
	"DStream": DStream, "Column": Column, "Window": Window, "WindowSpec": WindowSpec,
	"DataFrameReader": Reader, "DataFrameWriter": Writer, "DataStreamReader": StreamReader,
	"DataStreamWriter": StreamWriter, "StreamingQuery": StreamingQuery, "Broadcast": Broadcast,
	"Accumulator": Accumulator, "UserDefinedFunction": UDF, "UDFRegistration": UDFRegistration,
	"Catalog": Catalog, "NaFunctions": NaFunctions, "StatFunctions": StatFunctions, "Row": Row,
	"unknown": Unknown, "": Unknown, "Column|DataFrame": Unknown, "UserDefinedFunction|callable": UDF,
}

func kindFromReturn(s string) Kind {
	if k, ok := kindOfReturn[s]; ok {
		return k
	}
	return Other // scalars, lists, dicts, pandas frames, none
}

// IsHandle reports whether values of the kind exist only on the driver and
// fail when shipped to executors (SPARK-5063).
func (k Kind) IsHandle() bool {
	switch k {
	case SparkSession, SparkContext, SQLContext, StreamingContext, DataFrame, RDD, DStream, GlueContext, DynamicFrame:
		return true
	}
	return false
}

// IsSpark reports whether the kind is a Spark object.
func (k Kind) IsSpark() bool {
	return k >= SparkSession && k <= SparkClass || k == GlueContext || k == GlueReader || k == DynamicFrame
}

// Loc is a node in a module.
type Loc struct {
	M *pyparse.Module
	N pyparse.NodeID
}

// Where names the location for a message read in module from: "line 12",
// "cell 3, line 2" in a Jupyter notebook, "jobs/main.py line 7" when the
// location is in another file.
func (l Loc) Where(from *pyparse.Module) string {
	row, _ := l.M.RowCol(l.M.N(l.N).Start)
	where := "line " + strconv.Itoa(row)
	if cell, r := l.M.CellOf(row); cell > 0 {
		where = "cell " + strconv.Itoa(cell) + ", line " + strconv.Itoa(r)
	}
	if l.M != from {
		where = displayPath(l.M.Path) + " " + where
	}
	return where
}

// displayPath shortens an absolute path under the working folder to a
// relative one, as the rest of the output names files.
func displayPath(p string) string {
	if !filepath.IsAbs(p) {
		return p
	}
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, p); err == nil && !strings.HasPrefix(rel, "..") {
			return rel
		}
	}
	return p
}

// Valid reports whether the location is set.
func (l Loc) Valid() bool { return l.M != nil && l.N >= 0 }

// Lineage is what the analysis knows of where a DataFrame or RDD comes from.
type Lineage struct {
	// Source is the read that produced the data (spark.read..., spark.table,
	// spark.sql, sc.textFile, a Glue catalog read); unset when not known.
	Source Loc
	// Local is true when the data came from the driver (parallelize,
	// createDataFrame of local data, range).
	Local bool
	// Bounded is true when a step bounds the rows (limit, aggregation...).
	Bounded bool
	// Streaming is true for streaming DataFrames; StreamSource is the
	// readStream call.
	Streaming    bool
	StreamSource Loc
	// Watermarked is true when a used withWatermark is upstream.
	Watermarked bool
	// Agg is the stateful grouping (groupBy call) of a streaming
	// aggregation; Windowed when grouped by an event-time window.
	Agg      Loc
	Windowed bool
	// GroupedByKey marks an RDD produced by a bare groupByKey (values
	// still all come back).
	GroupedByKey bool
}

// Type is the inferred type of an expression.
type Type struct {
	Kind Kind
	// Name: the class for SparkClass, the dotted module for Module, the
	// qualified name for library functions, the member for Method.
	Name string
	// Def and Mod locate project functions and classes.
	Def Loc
	// Recv is the receiver of a Method, or the instance a project method
	// is bound to.
	Recv *Type
	// Lin is set for DataFrame, GroupedData, RDD, DStream and the writers.
	Lin *Lineage
}

// Is reports whether the type has kind k.
func (t Type) Is(k Kind) bool { return t.Kind == k }

func (t Type) withLin(l Lineage) Type {
	t.Lin = &l
	return t
}

func (t Type) lin() Lineage {
	if t.Lin == nil {
		return Lineage{}
	}
	return *t.Lin
}
