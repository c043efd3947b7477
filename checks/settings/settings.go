// Package settings carries a run's rule options (from configuration) to
// the analyzers. Like pyparse.Analyzer, its Analyzer's result is supplied
// by the driver; analyzers that read options require it.
package settings

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// Databricks says when `spark`, `sc`, `dbutils` and `display` are taken
// as predefined.
type Databricks int

const (
	// DatabricksAuto predefines them in Databricks source notebooks (first line
	// "# Databricks notebook source") and Jupyter notebooks.
	DatabricksAuto Databricks = iota
	// DatabricksOn predefines them in every file (a repository of Databricks jobs whose
	// files lack the header).
	DatabricksOn
	// DatabricksOff predefines them nowhere.
	DatabricksOff
)

// EntryPoint is a function or method that ships one of its arguments to
// executors, declared by configuration: "jobs.util.run_distributed:1"
// (a project or library function and the 0-based position of the shipped
// argument) or "RDD.mapPartitionsWithBarrier:0" (a method of a Spark class).
type EntryPoint struct {
	// Name is the dotted name as written without the position.
	Name     string
	Position int
}

// ParseEntryPoint reads "name:position".
func ParseEntryPoint(s string) (EntryPoint, error) {
	name, pos, ok := strings.Cut(s, ":")
	if !ok || name == "" {
		return EntryPoint{}, fmt.Errorf("%q: want NAME:POSITION, e.g. jobs.util.run_distributed:1", s)
	}
	n, err := strconv.Atoi(pos)
	if err != nil || n < 0 {
		return EntryPoint{}, fmt.Errorf("%q: the position must be a non-negative integer", s)
	}
	return EntryPoint{Name: name, Position: n}, nil
}

// Settings are the rule options of a run.
type Settings struct {
	// ExtraUnpicklable lists dotted constructors ("mylib.db.connect")
	// whose objects cannot be pickled, for SPK104.
	ExtraUnpicklable []string
	// ExtraEntryPoints are more functions that ship code to executors.
	ExtraEntryPoints []EntryPoint
	Databricks       Databricks
}

// Default is the settings of a run without configuration.
var Default = &Settings{}

// Analyzer provides the *Settings of the run. The driver supplies its
// result; Run reports a driver that does not.
var Analyzer = &analysis.Analyzer{
	Name: "settings",
	Doc:  "provides the rule options of the run",
	Run: func(*analysis.Pass) (any, error) {
		return nil, errors.New("settings.Analyzer: the driver must supply the settings")
	},
	ResultType: reflect.TypeFor[*Settings](),
}

// Of returns the settings of a pass, the defaults when the driver gave none.
func Of(pass *analysis.Pass) *Settings {
	if s, ok := pass.ResultOf[Analyzer].(*Settings); ok && s != nil {
		return s
	}
	return Default
}
