package billyfs

import (
	"fmt"
	"path"
	"strings"
	"sync"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/memfs"
)

// The backing stores. A mount names its store with -o store=SPEC:
//
//	mem           a fresh go-billy memfs, gone at unmount
//	mem:NAME      the memfs called NAME, made at its first mount and kept
//	              in this package's registry, so that a later mount of the
//	              same name (a remount, after a crash too) finds what was
//	              written back
//	os:/host/dir  a directory of the host, through go-billy's osfs with
//	              BoundOS (host builds only; store_os.go)
//	NAME          a store a Go caller registered with RegisterStore (a
//	              test's fault store, any billy.Filesystem)
//
// A store is used by one superblock at a time: mounting a store that is
// mounted already fails with EBUSY (see RATIONALE.md).

// registry holds the named stores and the store kinds.
var registry struct {
	// mu protects named, kinds and busy. A leaf lock.
	mu    sync.Mutex
	named map[string]billy.Filesystem
	kinds map[string]func(arg string) (billy.Filesystem, error)
	// busy holds the stores mounted now, by their store= value (a
	// fresh "mem" is never busy), with the superblock using each.
	busy map[string]*sbInfo
}

func init() {
	registry.named = map[string]billy.Filesystem{}
	registry.kinds = map[string]func(string) (billy.Filesystem, error){}
	registry.busy = map[string]*sbInfo{}
	registry.kinds["mem"] = openMem
}

// RegisterStore makes fs the store that -o store=name mounts. The name
// must not contain ':' or ','; registering a name again replaces it.
func RegisterStore(name string, fs billy.Filesystem) error {
	if name == "" || strings.ContainsAny(name, ":,") || name == "mem" {
		return fmt.Errorf("billyfs: bad store name %q", name)
	}
	registry.mu.Lock()
	defer registry.mu.Unlock()
	registry.named[name] = fs
	return nil
}

// ForgetStore removes a store registered with RegisterStore, or a named
// memfs ("mem:NAME"), from the registry. A mounted store stays in use by
// its superblock.
func ForgetStore(name string) {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	delete(registry.named, name)
}

// RegisterStoreKind adds a kind of store: -o store=kind:ARG calls open
// with ARG. Host code registers "os" this way (store_os.go).
func RegisterStoreKind(kind string, open func(arg string) (billy.Filesystem, error)) {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	registry.kinds[kind] = open
}

// StoreKinds lists the kinds of store this build knows, for messages.
func StoreKinds() []string {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	var out []string
	for k := range registry.kinds {
		out = append(out, k)
	}
	sortStrings(out)
	return out
}

// openMem is the "mem" kind: a fresh memfs, or with a name the one kept
// under "mem:NAME".
func openMem(name string) (billy.Filesystem, error) {
	if name == "" {
		return memfs.New(), nil
	}
	key := "mem:" + name
	registry.mu.Lock()
	defer registry.mu.Unlock()
	fs := registry.named[key]
	if fs == nil {
		fs = memfs.New()
		registry.named[key] = fs
	}
	return fs, nil
}

// openStore resolves a store= value and marks the store busy under key,
// used by si; releaseStore(key) gives it back.
func openStore(spec string, si *sbInfo) (fs billy.Filesystem, key string, err error) {
	fs, err = resolveStore(spec)
	if err != nil {
		return nil, "", err
	}
	if spec == "mem" {
		return fs, "", nil
	}
	key = spec
	if kind, arg, ok := strings.Cut(spec, ":"); ok && kind != "mem" {
		key = kind + ":" + path.Clean(arg)
	}
	registry.mu.Lock()
	defer registry.mu.Unlock()
	if registry.busy[key] != nil {
		return nil, "", errBusy
	}
	registry.busy[key] = si
	return fs, key, nil
}

func releaseStore(key string) {
	if key == "" {
		return
	}
	registry.mu.Lock()
	delete(registry.busy, key)
	registry.mu.Unlock()
}

// mounted returns the superblock info of the mount using store spec.
func mounted(spec string) *sbInfo {
	key := spec
	if kind, arg, ok := strings.Cut(spec, ":"); ok && kind != "mem" {
		key = kind + ":" + path.Clean(arg)
	}
	registry.mu.Lock()
	defer registry.mu.Unlock()
	return registry.busy[key]
}

// resolveStore finds or makes the store a store= value names.
func resolveStore(spec string) (billy.Filesystem, error) {
	if spec == "" {
		return nil, &OptionError{"store", spec, "needs a value (mem, mem:NAME, os:DIR or a registered name)"}
	}
	kind, arg, hasArg := strings.Cut(spec, ":")
	var fs billy.Filesystem
	if hasArg || kind == "mem" {
		registry.mu.Lock()
		open := registry.kinds[kind]
		registry.mu.Unlock()
		if open == nil {
			return nil, &OptionError{"store", spec, "unknown kind of store " + kind + " (this build has " + strings.Join(StoreKinds(), ", ") + ")"}
		}
		if kind == "mem" && hasArg && arg == "" {
			return nil, &OptionError{"store", spec, "mem: needs a name"}
		}
		var err error
		if fs, err = open(arg); err != nil {
			return nil, &OptionError{"store", spec, err.Error()}
		}
	} else {
		registry.mu.Lock()
		fs = registry.named[spec]
		registry.mu.Unlock()
		if fs == nil {
			return nil, &OptionError{"store", spec, "no store is registered under that name"}
		}
	}
	return fs, nil
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
