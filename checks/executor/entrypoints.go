package executor

import (
	_ "embed"
	"strconv"
	"strings"
)

//go:generate cp ../../../shared/pyspark/executor_entry_points.tsv ../../../shared/pyspark/unpicklable.tsv data/

//go:embed data/executor_entry_points.tsv
var entryPointsTSV string

// entryPoint is a parameter of a Spark method that receives user code run
// on executors.
type entryPoint struct {
	param    string
	position int // -1 for keyword-only
	object   bool
	function bool
}

// entryPoints maps class → member → parameters run on executors.
var entryPoints = map[string]map[string][]entryPoint{}

func init() {
	lines := strings.Split(strings.TrimRight(entryPointsTSV, "\n"), "\n")
	head := strings.Split(lines[0], "\t")
	idx := map[string]int{}
	for i, h := range head {
		idx[h] = i
	}
	for _, line := range lines[1:] {
		r := strings.Split(line, "\t")
		if r[idx["runs_on"]] != "executor" && r[idx["runs_on"]] != "both" {
			continue
		}
		argType := r[idx["arg_type"]]
		if argType == "class" {
			continue // UDTF and data source classes: instantiated by Spark, not captured closures
		}
		pos, err := strconv.Atoi(r[idx["position"]])
		if err != nil {
			pos = -1
		}
		class, member := r[idx["class"]], r[idx["member"]]
		if entryPoints[class] == nil {
			entryPoints[class] = map[string][]entryPoint{}
		}
		entryPoints[class][member] = append(entryPoints[class][member], entryPoint{
			param: r[idx["param"]], position: pos,
			object:   strings.Contains(argType, "object"),
			function: strings.Contains(argType, "function") || argType == "udf",
		})
	}
	for _, members := range entryPoints {
		for member := range members {
			shippingNames[member] = true
		}
	}
	// Mixins whose members DataFrame and GroupedData have.
	for _, pair := range [][2]string{{"PandasMapOpsMixin", "DataFrame"}, {"PandasGroupedOpsMixin", "GroupedData"}, {"RDD", "PipelinedRDD"}} {
		for member, eps := range entryPoints[pair[0]] {
			if entryPoints[pair[1]] == nil {
				entryPoints[pair[1]] = map[string][]entryPoint{}
			}
			if _, ok := entryPoints[pair[1]][member]; !ok {
				entryPoints[pair[1]][member] = eps
			}
		}
	}
}
