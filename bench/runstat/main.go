// Command runstat runs a command several times and prints its best wall
// time, its throughput in lines per second and its peak resident memory
// (from the kernel's rusage), so the bench script needs no GNU time.
//
//	runstat -lines 200000 -runs 3 -- sparklint check --no-cache /tmp/sparkbench
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

func main() {
	lines := flag.Int("lines", 0, "lines of input, to report lines/s")
	runs := flag.Int("runs", 3, "number of runs (the best is reported)")
	label := flag.String("label", "", "label for the output line")
	flag.Parse()
	args := flag.Args()
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: runstat [-lines N] [-runs N] -- command args...")
		os.Exit(2)
	}
	best := time.Duration(1<<63 - 1)
	var rss int64
	for range *runs {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Stdout, cmd.Stderr = nil, nil
		start := time.Now()
		err := cmd.Run()
		el := time.Since(start)
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			fmt.Fprintln(os.Stderr, "runstat:", err)
			os.Exit(2)
		}
		if exit != nil && exit.ExitCode() > 1 {
			fmt.Fprintf(os.Stderr, "runstat: %v exited with %d\n", args, exit.ExitCode())
			os.Exit(2)
		}
		if el < best {
			best = el
		}
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && ru.Maxrss > rss {
			rss = ru.Maxrss // KiB on Linux
		}
	}
	out := fmt.Sprintf("%-28s %8.3fs", *label, best.Seconds())
	if *lines > 0 {
		out += fmt.Sprintf("  %10.0f lines/s", float64(*lines)/best.Seconds())
	}
	out += fmt.Sprintf("  peak RSS %6.1f MB", float64(rss)/1024)
	fmt.Println(out)
}
