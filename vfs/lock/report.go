package lock

import (
	"strconv"
	"strings"
)

// ReportKind classifies a report.
type ReportKind uint8

const (
	// CircularDependency: "possible circular locking dependency detected".
	CircularDependency ReportKind = iota + 1
	// RecursiveLocking: "possible recursive locking detected".
	RecursiveLocking
	// BadUnlock: "bad unlock balance detected".
	BadUnlock
	// HeldOnReturn: "lock held when returning to user space".
	HeldOnReturn
	// SleepInAtomic: "sleeping function called from invalid context".
	SleepInAtomic
	// HeldAtExit: "lock held at task exit time" (a task exited holding
	// locks; Linux do_exit's debug_check_no_locks_held).
	HeldAtExit
	// InvalidSubclass: "looking up invalid subclass" (a subclass of
	// MaxSubclasses or more).
	InvalidSubclass
)

// MaxSubclasses is how many subclasses a class has (Linux's
// MAX_LOCKDEP_SUBCLASSES): valid subclasses are 0 to MaxSubclasses-1.
const MaxSubclasses = 8

// String returns the kind's lockdep headline.
func (k ReportKind) String() string {
	switch k {
	case CircularDependency:
		return "possible circular locking dependency detected"
	case RecursiveLocking:
		return "possible recursive locking detected"
	case BadUnlock:
		return "bad unlock balance detected"
	case HeldOnReturn:
		return "lock held when returning to user space"
	case SleepInAtomic:
		return "sleeping function called from invalid context"
	case HeldAtExit:
		return "lock held at task exit time"
	case InvalidSubclass:
		return "looking up invalid subclass"
	}
	return "ReportKind(" + strconv.Itoa(int(k)) + ")"
}

// Report is one problem found by the validator. A bug is reported once:
// the same kind of report naming the same lock classes and sites again
// (in any task) is not stored again but counted in Repeats.
type Report struct {
	Kind  ReportKind
	Owner string // name of the owner (task) that triggered it
	Text  string // the whole multi-line report, lockdep style
	// Repeats is how many times the same bug was seen again after
	// this report (as of the Reports call that returned it).
	Repeats int
}

// String returns the report text, followed by the count of repeats if
// there were any.
func (r Report) String() string {
	if r.Repeats == 0 {
		return r.Text
	}
	n := strconv.Itoa(r.Repeats) + " more times"
	if r.Repeats == 1 {
		n = "once more"
	}
	return r.Text + "(the same report, at the same sites: seen " + n + ")\n"
}

// The identity of a report (its key in Validator.seen): its kind and
// the lock classes and sites it names, not the task nor the other locks
// held.

// classID identifies a (class, subclass) in a report's key.
func classID(k ClassKey) string {
	if k.Class == nil {
		return "-"
	}
	return strconv.FormatUint(uint64(k.Class.id), 10) + "/" + strconv.Itoa(int(k.Subclass))
}

// heldID identifies a held entry in a report's key: its class, mode
// and site.
func heldID(h Held) string {
	return classID(h.Key()) + " " + h.Mode.String() + " " + h.Site
}

// heldIDs identifies a held-lock stack and the open no-block sections.
func heldIDs(held []Held, noBlock []string) string {
	var b strings.Builder
	for _, h := range held {
		b.WriteString("|" + heldID(h))
	}
	for _, why := range noBlock {
		b.WriteString("|nb " + why)
	}
	return b.String()
}

const bar = "======================================================\n"
const dash = "------------------------------------------------------\n"

// writeHeld lists held locks like lockdep's lockdep_print_held_locks.
func writeHeld(b *strings.Builder, owner string, held []Held) {
	switch len(held) {
	case 0:
		b.WriteString("no locks held by " + owner + ".\n")
		return
	case 1:
		b.WriteString("1 lock held by " + owner + ":\n")
	default:
		b.WriteString(strconv.Itoa(len(held)) + " locks held by " + owner + ":\n")
	}
	for i, h := range held {
		b.WriteString(" #" + strconv.Itoa(i) + ": " + h.String() + "\n")
	}
}

// circularText formats a circular dependency: o holds prev and tries next,
// and the graph already has next -> ... -> prev (path). Called with graphMu
// held, from o's goroutine.
func (v *Validator) circularText(o *Owner, prev, next Held, path []edge) string {
	var b strings.Builder
	b.WriteString("\n" + bar)
	b.WriteString("WARNING: possible circular locking dependency detected\n")
	b.WriteString(dash)
	b.WriteString(o.name + " is trying to acquire lock:\n")
	b.WriteString("  " + next.String() + "\n\n")
	b.WriteString("but task already holds lock:\n")
	b.WriteString("  " + prev.String() + "\n\n")
	b.WriteString("which lock already depends on the new lock.\n\n")
	b.WriteString("the existing dependency chain (in reverse order) is:\n\n")
	n := len(path)
	for i := n - 1; i >= 0; i-- {
		e := path[i]
		info := v.edges[e]
		b.WriteString("-> #" + strconv.Itoa(i+1) + " (" + e.to.String() + "):\n")
		b.WriteString("       taken by " + info.owner + " at " + info.toSite + "\n")
		b.WriteString("       while holding " + e.from.String() + " taken at " + info.fromSite + "\n")
	}
	b.WriteString("-> #0 (" + next.Key().String() + "):\n")
	b.WriteString("       being taken by " + o.name + " at " + next.Site + "\n")
	b.WriteString("       while holding " + prev.Key().String() + " taken at " + prev.Site + "\n\n")

	b.WriteString("other info that might help us debug this:\n\n")
	source, target := next.Key().String(), prev.Key().String()
	parent := path[n-1].from.String()
	if n > 1 {
		b.WriteString(" Chain exists of:\n   " + source)
		for _, e := range path {
			b.WriteString(" --> " + e.to.String())
		}
		b.WriteString("\n\n")
	}
	b.WriteString(" Possible unsafe locking scenario:\n\n")
	b.WriteString("       CPU0                    CPU1\n")
	b.WriteString("       ----                    ----\n")
	b.WriteString("  lock(" + target + ");\n")
	b.WriteString("                               lock(" + parent + ");\n")
	b.WriteString("                               lock(" + target + ");\n")
	b.WriteString("  lock(" + source + ");\n\n")
	b.WriteString(" *** DEADLOCK ***\n\n")
	writeHeld(&b, o.name, o.held)
	return b.String()
}

// recursive reports taking h while already holding p (same instance, or
// same class and subclass).
func (v *Validator) recursive(o *Owner, h, p Held) {
	key := "R|" + heldID(h) + "|" + heldID(p)
	if p.Lock == h.Lock {
		key += "|same"
	}
	if v.repeated(key) {
		return
	}
	var b strings.Builder
	b.WriteString("\n" + bar)
	b.WriteString("WARNING: possible recursive locking detected\n")
	b.WriteString(dash)
	b.WriteString(o.name + " is trying to acquire lock:\n")
	b.WriteString("  " + h.String() + "\n\n")
	b.WriteString("but task is already holding lock:\n")
	b.WriteString("  " + p.String() + "\n\n")
	if p.Lock == h.Lock {
		b.WriteString("which is the same lock instance.\n\n")
	}
	b.WriteString("other info that might help us debug this:\n")
	b.WriteString(" Possible unsafe locking scenario:\n\n")
	b.WriteString("       CPU0\n")
	b.WriteString("       ----\n")
	b.WriteString("  lock(" + p.Key().String() + ");\n")
	b.WriteString("  lock(" + h.Key().String() + ");\n\n")
	b.WriteString(" *** DEADLOCK ***\n\n")
	if p.Lock != h.Lock {
		b.WriteString(" May be due to missing lock nesting notation\n\n")
	}
	writeHeld(&b, o.name, o.held)
	v.report(RecursiveLocking, o, key, b.String())
}

// badUnlock reports o releasing l (in mode) without holding it that way.
func (v *Validator) badUnlock(o *Owner, l Lock, mode Mode, site, why string) {
	key := "U|" + l.Kind().String() + " " + classID(ClassKey{l.Class(), l.Subclass()}) + " " + mode.String() + "|" + site + "|" + why
	if v.repeated(key) {
		return
	}
	name := "<uninitialized " + l.Kind().String() + ">"
	if c := l.Class(); c != nil {
		name = ClassKey{c, l.Subclass()}.String()
	}
	var b strings.Builder
	b.WriteString("\n" + bar)
	b.WriteString("WARNING: bad unlock balance detected!\n")
	b.WriteString(dash)
	b.WriteString(o.name + " is trying to release lock (" + name + ") " + mode.String() + " at:\n")
	b.WriteString("  " + site + "\n")
	b.WriteString(why + "\n\n")
	b.WriteString("other info that might help us debug this:\n")
	writeHeld(&b, o.name, o.held)
	v.report(BadUnlock, o, key, b.String())
}

// sleepInAtomic reports o sleeping (what) at site while atomic.
func (v *Validator) sleepInAtomic(o *Owner, what, site string) {
	key := "S|" + what + "|" + site
	for i := len(o.held) - 1; i >= 0; i-- {
		if h := o.held[i]; h.Lock.Kind().atomic() {
			key += "|" + heldID(h)
			break
		}
	}
	key += heldIDs(nil, o.noBlock)
	if v.repeated(key) {
		return
	}
	var b strings.Builder
	b.WriteString("\nBUG: sleeping function called from invalid context at " + site + "\n")
	b.WriteString("in_atomic(): 1, task: " + o.name + "\n")
	b.WriteString("sleeping: " + what + "\n")
	for i := len(o.held) - 1; i >= 0; i-- {
		if h := o.held[i]; h.Lock.Kind().atomic() {
			b.WriteString("atomic because holding " + h.Lock.Kind().String() + " " + h.String() + "\n")
			break
		}
	}
	for i := len(o.noBlock) - 1; i >= 0; i-- {
		b.WriteString("atomic because in no-block section: " + o.noBlock[i] + "\n")
	}
	writeHeld(&b, o.name, o.held)
	v.report(SleepInAtomic, o, key, b.String())
}

// heldOnReturn reports o leaving "the kernel" at where with locks held.
func (v *Validator) heldOnReturn(o *Owner, where string) {
	key := "H|" + where + heldIDs(o.held, o.noBlock)
	if v.repeated(key) {
		return
	}
	var b strings.Builder
	b.WriteString("\n" + bar)
	b.WriteString("WARNING: lock held when returning to user space!\n")
	b.WriteString(dash)
	b.WriteString(o.name + " is leaving the kernel with locks still held! (at " + where + ")\n")
	for _, why := range o.noBlock {
		b.WriteString("still in no-block section: " + why + "\n")
	}
	writeHeld(&b, o.name, o.held)
	v.report(HeldOnReturn, o, key, b.String())
}

// heldAtExit reports o exiting with locks held, like Linux's
// print_held_locks_bug, or inside no-block sections, like do_exit's
// "note: ... exited with preempt_count".
func (v *Validator) heldAtExit(o *Owner) {
	key := "X" + heldIDs(o.held, o.noBlock)
	if v.repeated(key) {
		return
	}
	var b strings.Builder
	b.WriteString("\n" + bar)
	if len(o.held) > 0 {
		b.WriteString("WARNING: " + o.name + " still has locks held!\n")
	} else {
		b.WriteString("WARNING: " + o.name + " exited with preempt_count " + strconv.Itoa(len(o.noBlock)) + "\n")
	}
	b.WriteString(dash)
	for _, why := range o.noBlock {
		b.WriteString("still in no-block section: " + why + "\n")
	}
	writeHeld(&b, o.name, o.held)
	v.report(HeldAtExit, o, key, b.String())
}

// invalidSubclass reports the acquisition at site of a subclass of
// MaxSubclasses or more.
func (v *Validator) invalidSubclass(o *Owner, key ClassKey, site string) {
	var b strings.Builder
	b.WriteString("\nBUG: looking up invalid subclass: " + strconv.Itoa(int(key.Subclass)) + "\n")
	b.WriteString("lock class " + key.Class.String() + " (subclasses 0 to " + strconv.Itoa(MaxSubclasses-1) + ") at " + site + ", task " + o.name + "\n")
	writeHeld(&b, o.name, o.held)
	v.report(InvalidSubclass, o, "I|"+classID(key), b.String())
}
