package pyparse

import "bytes"

var databricksHeader = []byte("# Databricks notebook source")

// IsDatabricksNotebook reports whether src is a Databricks source notebook:
// its first line is "# Databricks notebook source". Cells are separated by
// "# COMMAND ----------" and "# MAGIC" lines carry other languages; both are
// Python comments, so the file parses as it is.
func IsDatabricksNotebook(src []byte) bool {
	src = bytes.TrimPrefix(src, []byte("\xef\xbb\xbf"))
	return bytes.HasPrefix(src, databricksHeader)
}

// NotebookGlobals are the names a Databricks notebook predefines.
var NotebookGlobals = []string{"spark", "sc", "dbutils", "display", "displayHTML", "sqlContext"}
