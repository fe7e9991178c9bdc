package lock

import (
	"strconv"

	"github.com/vfscope/vfscope/vfs/internal/atomic"
)

// Kind says which primitive a lock class describes.
type Kind uint8

const (
	// KindSpin is a SpinLock: must not be held across sleeping.
	KindSpin Kind = iota + 1
	// KindMutex is a sleeping Mutex.
	KindMutex
	// KindRWSem is a reader-writer semaphore (RWSem).
	KindRWSem
	// KindSeqLock is a SeqLock (a seqcount plus the spinlock serialising
	// its writers); holding it for write is atomic context like a spinlock.
	KindSeqLock
)

// String returns the kernel-ish name of the kind ("spinlock", "mutex",
// "rwsem", "seqlock").
func (k Kind) String() string {
	switch k {
	case KindSpin:
		return "spinlock"
	case KindMutex:
		return "mutex"
	case KindRWSem:
		return "rwsem"
	case KindSeqLock:
		return "seqlock"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// atomic reports whether holding a lock of this kind puts the holder in
// atomic context (it must not sleep).
func (k Kind) atomic() bool { return k == KindSpin || k == KindSeqLock }

// sleeps reports whether acquiring a lock of this kind may sleep.
func (k Kind) sleeps() bool { return k == KindMutex || k == KindRWSem }

// Class is a lock class: all locks that play the same role (every inode's
// i_rwsem is one class). Classes are static: create them at package init
// with NewClass; they are never freed. The validator orders classes, not
// lock instances.
type Class struct {
	id   uint32
	name string
	kind Kind
	// seq is, for a KindSeqLock class, the class of its seqcount
	// ("rename_lock.seqcount"), a graph node of its own as the
	// seqcount's lockdep map is in Linux: writers acquire it after the
	// class's spinlock, readers wait for it. Nil for other kinds.
	seq *Class
}

// classIDs hands out class ids in creation order.
var classIDs atomic.Uint32

// NewClass creates a lock class, e.g. NewClass("&sb->s_umount", KindRWSem).
// It is safe for concurrent use; ids are assigned in creation order.
func NewClass(name string, kind Kind) *Class {
	if kind < KindSpin || kind > KindSeqLock {
		panic("lock: NewClass(" + name + "): invalid kind " + kind.String())
	}
	c := newClass(name, kind)
	if kind == KindSeqLock {
		c.seq = newClass(name+".seqcount", KindSeqLock)
	}
	return c
}

// newClass creates and registers one class.
func newClass(name string, kind Kind) *Class {
	c := &Class{id: classIDs.Add(1), name: name, kind: kind}
	if c.id >= maxClasses {
		panic("lock: NewClass(" + name + "): more than " + strconv.Itoa(maxClasses-1) + " classes")
	}
	ch := &classTable[c.id>>classChunkShift]
	t := ch.Load()
	if t == nil {
		ch.CompareAndSwap(nil, new(classChunk))
		t = ch.Load()
	}
	t[c.id&(1<<classChunkShift-1)].Store(c)
	return c
}

// classRef is a class as a lock holds it: its id, which classByID turns
// back into the class. A lock embedded in an inode or a dentry thus
// carries no pointer for the garbage collector to trace (an inode holds
// four locks, a dentry one, and every collection visits them all).
type classRef uint32

// ref returns c's classRef (0 for nil).
func (c *Class) ref() classRef {
	if c == nil {
		return 0
	}
	return classRef(c.id)
}

// The class table: ids index chunks of classes, made as ids reach them.
// Classes are never freed, so an id is looked up without a lock.
const (
	classChunkShift = 8
	maxClasses      = 1 << 20
)

type classChunk [1 << classChunkShift]atomic.Pointer[Class]

var classTable [maxClasses >> classChunkShift]atomic.Pointer[classChunk]

// class returns the class r stands for, nil for 0 (a lock not
// initialised).
func (r classRef) class() *Class {
	if r == 0 {
		return nil
	}
	return classTable[r>>classChunkShift].Load()[r&(1<<classChunkShift-1)].Load()
}

// Name returns the class name given to NewClass.
func (c *Class) Name() string { return c.name }

// Kind returns the kind of lock the class describes.
func (c *Class) Kind() Kind { return c.kind }

// ID returns the class id: 1 for the first class created, and so on.
func (c *Class) ID() uint32 { return c.id }

// String returns the class name.
func (c *Class) String() string { return c.name }

// ClassKey is a (class, subclass) pair: the node of the dependency graph.
// Subclasses let one class be taken twice in a fixed order (lock_rename
// takes two i_rwsem with I_MUTEX_PARENT and I_MUTEX_PARENT2).
type ClassKey struct {
	Class    *Class
	Subclass uint8
}

// String formats the key like lockdep: "&inode->i_rwsem" for subclass 0,
// "&inode->i_rwsem/1" otherwise.
func (k ClassKey) String() string {
	if k.Class == nil {
		return "<nil class>"
	}
	if k.Subclass == 0 {
		return k.Class.name
	}
	return k.Class.name + "/" + strconv.Itoa(int(k.Subclass))
}

// less orders keys by class id, then subclass.
func (k ClassKey) less(o ClassKey) bool {
	if k.Class.id != o.Class.id {
		return k.Class.id < o.Class.id
	}
	return k.Subclass < o.Subclass
}

// Mode is the way a lock is held.
type Mode uint8

const (
	// Unheld: not held.
	Unheld Mode = iota
	// Shared: held for read (RWSem.RLock).
	Shared
	// Exclusive: held for write, or a lock without a read side.
	Exclusive
)

// String returns "unheld", "shared" or "exclusive".
func (m Mode) String() string {
	switch m {
	case Unheld:
		return "unheld"
	case Shared:
		return "shared"
	case Exclusive:
		return "exclusive"
	}
	return "Mode(" + strconv.Itoa(int(m)) + ")"
}

// Lock is implemented by every primitive of this package (SpinLock, Mutex,
// RWSem, SeqLock). It is what Held records and what Owner.Holds looks for.
type Lock interface {
	// Class returns the class given to Init.
	Class() *Class
	// Subclass returns the subclass given to Init (LockNested may use another
	// one for a single acquisition).
	Subclass() uint8
	// Kind returns the kind of the primitive.
	Kind() Kind
}

// initError is the panic of an Init given a nil class or a class of
// another kind: an Init that can never be right. Init panics with a
// pointer to one rather than calling a function that formats the
// message, so that every Init stays small enough to be inlined (Go's
// WebAssembly code pays for each call; a dentry or an inode initialises
// several locks).
type initError struct {
	what string // the primitive: "SpinLock", "Mutex", ...
	c    *Class
	want Kind
}

// heldInitError is the panic of an Init of a lock that is held or waited
// for: re-initialising it would change the class under its holder's
// held-lock entry and its waiters (Linux's debug_check_no_locks_freed
// reports freeing or re-initialising such a lock as "BUG: held lock
// freed!"). A pointer to it, like initError, keeps Init inlinable.
type heldInitError struct {
	what string // the primitive
}

func (e *heldInitError) Error() string {
	return "lock: " + e.what + ".Init of a held lock (BUG: held lock freed!)"
}

func (e *initError) Error() string {
	if e.c == nil {
		return "lock: " + e.what + ".Init with nil class"
	}
	return "lock: " + e.what + ".Init with class " + e.c.name + " of kind " + e.c.kind.String() + ", want " + e.want.String()
}
