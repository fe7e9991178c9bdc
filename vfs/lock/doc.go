// Package lock provides the lock primitives of vfscope, with lock classes
// and subclasses, explicit holders, and a lockdep-style validator (after
// Linux's kernel/locking/lockdep.c and gVisor's pkg/sync/locking).
//
// # Lock kinds
//
//   - SpinLock (KindSpin): must not be held across sleeping (d_lock,
//     i_lock). Holding one is atomic context.
//   - Mutex (KindMutex): a sleeping mutex (s_vfs_rename_mutex, f_pos_lock).
//   - RWSem (KindRWSem): a sleeping reader-writer semaphore (i_rwsem,
//     s_umount, invalidate_lock), with Downgrade and the Disown/Adopt
//     handoff for locks held across tasks (sb_writers during a freeze).
//   - SeqLock (KindSeqLock): a sequence counter for lockless readers with
//     the spinlock serialising its writers (rename_lock, mount_lock); and
//     SeqCount, a bare 4-byte counter with no class (d_seq), whose
//     writers' lock is the one validated.
//
// Every lock belongs to a Class, made with NewClass at package init or,
// for a filesystem type's classes, at its name's first registration; all locks playing the same role share it (every inode's
// i_rwsem). A subclass (Init, LockNested) distinguishes nesting levels so
// two locks of one class can be taken in a fixed order.
//
// # Owners and validation
//
// Every operation names the Owner doing it: the held-lock stack of one
// task, Linux's current. Holders are never identified by goroutine. Each
// lock records its holder (Holder) in all cases, as the owner's id (a
// number: no write barrier, no pointer to scan). SpinLock, Mutex and
// SeqLock keep it in their lock word with the locked bit (word.go), so an
// uncontended acquisition or release is one compare-and-swap, as with a
// sync.Mutex; an RWSem is one atomic count word plus the writer's id. A
// task that must wait sleeps on a wait queue of a hashed table shared by
// all locks (rwWaitTable), whose mutexes are leaves of the lock order.
//
// Validation is switched on per owner: NewOwner(name, v) with a non-nil
// *Validator. With v nil, validation is off: each operation costs the raw
// lock plus one predictable branch (if o.slow), and Owner.Held, Holds,
// InAtomic and the no-block sections track nothing. Compare
// BenchmarkMutexOff with BenchmarkSyncMutex.
//
// With validation on, each acquisition records a Held entry (class,
// subclass, mode, call site outside this package) on the owner's stack
// and, unless it is a trylock, a dependency from every lock already held
// to the new (class, subclass). Modes do not matter for ordering: RWSem
// readers are not recursive (a waiting writer blocks new readers), so a
// read acquisition orders classes like a write one. The validator reports
// (see Report, Validator.Reports and Validator.OnReport):
//
//   - CircularDependency: a new dependency would close a cycle in the class
//     graph ("possible circular locking dependency detected"), once per
//     cycle, with the current task's chain and the existing chain, each
//     step with the task and sites that first created it;
//   - RecursiveLocking: taking a lock instance already held, or a second
//     lock of the same class and subclass ("possible recursive locking
//     detected");
//   - BadUnlock: releasing a lock not held, or not held in that mode ("bad
//     unlock balance detected"); the real unlock is then skipped;
//   - SleepInAtomic: taking a sleeping lock, or MightSleep, while holding a
//     spinlock or inside BeginNoBlock ("sleeping function called from
//     invalid context");
//   - HeldOnReturn: AssertNoneHeld found locks still held ("lock held when
//     returning to user space"); the locks stay held and on the stack, so
//     their later unlock balances, and are not reported again;
//   - HeldAtExit: AssertNoneHeldAtExit found an exiting task holding locks
//     ("still has locks held!");
//   - InvalidSubclass: a subclass of MaxSubclasses (8) or more ("looking up
//     invalid subclass"), once per class and subclass.
//
// Reports do not stop anything: after reporting, the operation proceeds
// (except a bad unlock, which is skipped). The validator also keeps
// statistics (Stats, Classes, Dependencies; ProcSnapshot for procfs's
// /proc/lockdep and /proc/lockdep_stats) and can dump every owner's held
// locks (DumpHeld) for a deadlock watchdog.
package lock
