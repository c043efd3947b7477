package pyparse

import (
	"errors"
	"reflect"

	"golang.org/x/tools/go/analysis"
)

// Project gives the analyses of one file access to the other Python modules
// of the project (parsed on demand, shared read-only between files).
type Project interface {
	// ImportModule returns the project module that "import module" (level 0)
	// or "from .module import ..." (level > 0) names, seen from from; nil
	// when the module is not part of the project or cannot be parsed.
	ImportModule(from *Module, module string, level int) *Module
}

// Unit is what the driver hands to the checks of one file: the parsed
// module and the project it belongs to.
type Unit struct {
	Module  *Module
	Project Project
}

// Analyzer is the prerequisite of every check, as inspect.Analyzer is for
// Go analyzers: its Result is the *Unit of the file being checked. The
// driver in package lint supplies that result itself (it parses each file
// once, before any check runs), so Run is only reached by a driver that
// does not, and reports it.
var Analyzer = &analysis.Analyzer{
	Name: "pyparse",
	Doc:  "provides the parsed Python module of the file being checked",
	Run: func(*analysis.Pass) (any, error) {
		return nil, errors.New("pyparse.Analyzer: the driver must supply the parsed module")
	},
	ResultType: reflect.TypeFor[*Unit](),
}
