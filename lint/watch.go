package lint

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// WatchOptions configure Watch.
type WatchOptions struct {
	// Paths are the files and folders watched (default "."), as given to
	// Run; Exclude are Run's --exclude globs.
	Paths   []string
	Exclude []string
	// Files are more files watched, whatever their name (a --config file).
	Files []string
	// Interval is how often the files are polled (default 250 ms).
	Interval time.Duration
	// Debounce is how long the files must stay unchanged after a change
	// before the run starts (default 200 ms), so that an editor's save
	// (or a checkout) of several files triggers one run.
	Debounce time.Duration
}

// watchedConfig are the files besides Python sources and notebooks whose
// change triggers a run: configuration, and what decides discovery.
var watchedConfig = map[string]bool{
	"pyproject.toml": true, "setup.cfg": true, "setup.py": true, "sparklint.toml": true,
	".sparklint.toml": true, ".gitignore": true,
}

// Watch calls run, then calls it again each time a watched file (a Python
// file, a notebook or a configuration file under the paths, or the project
// root's configuration) is created, changed or removed, until ctx is done.
// run returns the files it wrote itself (fixes), whose changes do not
// trigger another run. Watch polls the file system: it needs no
// notification support and sees network and container mounts alike.
// It returns nil when ctx is cancelled.
func Watch(ctx context.Context, opts WatchOptions, run func() []string) error {
	if len(opts.Paths) == 0 {
		opts.Paths = []string{"."}
	}
	if opts.Interval <= 0 {
		opts.Interval = 250 * time.Millisecond
	}
	if opts.Debounce <= 0 {
		opts.Debounce = 200 * time.Millisecond
	}
	w := &watcher{opts: opts, root: FindRoot(opts.Paths[0])}
	w.ex = newExcluder(w.root, opts.Exclude)
	wait := func(d time.Duration) bool {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
			return true
		}
	}
	snap := w.snapshot()
	for {
		select {
		case <-ctx.Done():
			return nil
		default:
		}
		written := run()
		if len(written) > 0 {
			// The run's own writes are not changes to react to.
			for _, p := range written {
				abs := cleanAbs(p)
				if st, ok := stampOf(abs); ok {
					snap[abs] = st
				} else {
					delete(snap, abs)
				}
			}
		}
		// Wait for a change, then for the files to settle.
		for {
			if !wait(opts.Interval) {
				return nil
			}
			next := w.snapshot()
			if !sameSnapshot(snap, next) {
				snap = next
				break
			}
		}
		for {
			if !wait(opts.Debounce) {
				return nil
			}
			next := w.snapshot()
			if sameSnapshot(snap, next) {
				break
			}
			snap = next
		}
	}
}

type watcher struct {
	opts WatchOptions
	root string
	ex   *excluder
}

// stamp is what a poll compares: a change of any field is a change.
type stamp struct {
	size  int64
	mtime int64
	mode  fs.FileMode
}

func stampOf(path string) (stamp, bool) {
	st, err := os.Stat(path)
	if err != nil {
		return stamp{}, false
	}
	return stamp{st.Size(), st.ModTime().UnixNano(), st.Mode()}, true
}

func sameSnapshot(a, b map[string]stamp) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func watchedName(name string) bool {
	return isSource(name) || watchedConfig[name]
}

// snapshot stamps every watched file.
func (w *watcher) snapshot() map[string]stamp {
	snap := map[string]stamp{}
	add := func(p string) {
		if st, ok := stampOf(p); ok && st.mode.IsRegular() {
			snap[p] = st
		}
	}
	for name := range watchedConfig {
		add(filepath.Join(w.root, name))
	}
	for _, f := range w.opts.Files {
		add(cleanAbs(f))
	}
	for _, p := range w.opts.Paths {
		abs := cleanAbs(p)
		st, err := os.Stat(abs)
		if err != nil {
			continue
		}
		if !st.IsDir() {
			add(abs) // named explicitly: watched whatever its name
			continue
		}
		_ = filepath.WalkDir(abs, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				if d != nil && d.IsDir() && path != abs {
					return filepath.SkipDir
				}
				return nil
			}
			name := d.Name()
			if path != abs && w.ex.excluded(path, name, d.IsDir()) {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				return nil
			}
			if watchedName(name) {
				add(path)
			}
			return nil
		})
	}
	return snap
}
