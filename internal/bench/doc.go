// Package bench holds the foundation's comparative benchmarks: each
// workload runs vfscope and its peers (go-billy's memfs, afero's
// MemMapFs, and the host kernel's tmpfs through the os package) in the
// same process, and the package's TestMain prints the ratios (peer time /
// vfscope time) and whether each performance target holds.
//
// Run with:
//
//	go test -run '^$' -bench . -benchmem ./internal/bench/
//
// VFSCOPE_LOCKDEP must be unset (as `make bench` leaves it): with it set,
// vfs.Options{} turns the lock validator on and the vfscope numbers no
// longer describe the production configuration; the summary says so.
package bench
