package shell

import (
	"github.com/vfscope/vfscope/vfs/lock"
)

// The two lock classes of the AB-BA teaching command. Classes are static
// (lock.NewClass at package init), like every class of the core; the
// command makes fresh lock instances of them on each run.
var (
	classTeachA = lock.NewClass("lockdep_abba_A", lock.KindMutex)
	classTeachB = lock.NewClass("lockdep_abba_B", lock.KindMutex)
)

// cmdLockdepABBA is `lockdep-abba`, a teaching command: it provokes the
// classic AB-BA lock-order bug safely, so that the validator reports it.
// Two new tasks take two mutexes of their own classes (lockdep_abba_A and
// lockdep_abba_B): the first task takes A then B and releases both, then
// the second takes B then A. The two tasks never run at the same time, so
// nothing deadlocks; but the second acquisition closes a cycle in the
// class dependency graph (A -> B -> A), which is exactly what lockdep
// reports as "possible circular locking dependency detected" — the
// deadlock that would happen if the two ran concurrently.
//
// It prints the report (the validator records it once per cycle; a second
// run says it was already reported). The locks are not VFS locks: the
// command changes nothing in the filesystem.
func cmdLockdepABBA(c *cmd) int {
	if len(c.args) > 0 {
		c.errorf("unexpected argument %s", c.args[0])
		return 2
	}
	v := c.t.VFS().Validator()
	if v == nil {
		c.errorf("lock validation is off: start the VFS with lockdep on (vfs.Options{Lockdep: true}, VFSCOPE_LOCKDEP=1, or --lockdep)")
		return 1
	}
	before := len(v.Reports())

	var a, b lock.Mutex
	a.Init(classTeachA, 0)
	b.Init(classTeachB, 0)

	t1 := c.t.Fork("abba-1")
	defer t1.Exit()
	t2 := c.t.Fork("abba-2")
	defer t2.Exit()

	c.printf("%s: lock A; lock B   (records A -> B)\n", t1.Owner().Name())
	a.Lock(t1.Owner())
	b.Lock(t1.Owner())
	b.Unlock(t1.Owner())
	a.Unlock(t1.Owner())

	c.printf("%s: lock B; lock A   (B -> A closes the cycle)\n", t2.Owner().Name())
	b.Lock(t2.Owner())
	a.Lock(t2.Owner())
	a.Unlock(t2.Owner())
	b.Unlock(t2.Owner())

	reports := v.Reports()[before:]
	found := false
	for _, r := range reports {
		if r.Kind == lock.CircularDependency {
			found = true
			c.printf("%s", r.Text)
		}
	}
	if !found {
		c.printf("\nthe validator already reported this cycle (it reports each cycle once); see /proc/lockdep or the earlier report\n")
	}
	return 0
}
