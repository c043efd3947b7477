package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime/pprof"

	"github.com/spf13/cobra"

	"github.com/sparklint/sparklint/lsp"
)

// stdio is the server's end of standard input and output.
type stdio struct{}

func (stdio) Read(p []byte) (int, error)  { return os.Stdin.Read(p) }
func (stdio) Write(p []byte) (int, error) { return os.Stdout.Write(p) }
func (stdio) Close() error                { return os.Stdin.Close() }

func newLSPCmd(stderr io.Writer, status *int) *cobra.Command {
	var (
		opts       lsp.Options
		tcp        string
		cpuProfile string
	)
	cmd := &cobra.Command{
		Use:   "lsp",
		Short: "Run the language server (for editors)",
		Long: `Run sparklint's language server (LSP 3.17) on standard input and output,
or on a TCP address with --tcp (for debugging: one client at a time).

The editor's settings ("sparklint": select, ignore, config) replace the
flags; configuration files are found as 'sparklint check' finds them.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			opts.Log, opts.Version = stderr, version
			lsp.TuneGC()
			if cpuProfile != "" {
				pf, err := os.Create(cpuProfile)
				if err != nil {
					return err
				}
				if err := pprof.StartCPUProfile(pf); err != nil {
					return err
				}
				defer func() {
					pprof.StopCPUProfile()
					_ = pf.Close()
				}()
			}
			if tcp == "" {
				err := lsp.Serve(c.Context(), stdio{}, opts)
				if errors.Is(err, lsp.ErrExitWithoutShutdown) {
					*status = 1
					return nil
				}
				return err
			}
			ln, err := net.Listen("tcp", tcp)
			if err != nil {
				return err
			}
			defer ln.Close()
			fmt.Fprintf(stderr, "sparklint lsp: listening on %s\n", ln.Addr())
			for {
				conn, err := ln.Accept()
				if err != nil {
					return err
				}
				err = lsp.Serve(c.Context(), conn, opts)
				_ = conn.Close()
				if err != nil {
					fmt.Fprintf(stderr, "sparklint lsp: connection ended: %v\n", err)
				}
			}
		},
	}
	f := cmd.Flags()
	f.StringVar(&tcp, "tcp", "", "listen on this address (host:port) instead of standard input and output")
	f.StringSliceVar(&opts.Select, "select", nil, "default rule selectors (the editor's settings replace them)")
	f.StringSliceVar(&opts.Ignore, "ignore", nil, "default rules to disable")
	f.StringVar(&opts.Config, "config", "", "default configuration file for every file")
	f.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the server to this file when it stops (for debugging)")
	return cmd
}
