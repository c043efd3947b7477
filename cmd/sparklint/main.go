// Command sparklint is a linter for PySpark code: `sparklint check` lints
// files and folders, `sparklint rule CODE` documents a rule, `sparklint
// version` prints the version. The commands live in cli.go; main only
// hands over the process's arguments and streams and exits with the
// status the command chose.
package main

import "os"

// version is the sparklint version, set at build time with
// -ldflags "-X main.version=1.2.3".
var version = "0.1.0-dev"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
