package vfs_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
	"github.com/vfscope/vfscope/vfs/trace"
)

// drain reads every buffered event of l.
func drain(l *trace.Listener) []trace.Event {
	var out []trace.Event
	buf := make([]trace.Event, 256)
	for {
		n := l.Read(buf)
		if n == 0 {
			return out
		}
		out = append(out, buf[:n]...)
	}
}

// objectLine renders a dentry or inode event for a golden comparison,
// with names instead of ids (ids depend on what boot allocated). The
// reference count and size events are left out (""): TestTraceCounts
// and TestTraceSizes check those.
func objectLine(e trace.Event, dname map[uint64]string) string {
	k := e.Kind.String()
	switch e.Kind {
	case trace.DentryCount, trace.InodeCount, trace.InodeSize:
		return ""
	}
	switch {
	case strings.HasPrefix(k, "dentry."):
		s := k + " " + e.Name
		if e.Inode != 0 {
			s += " +" // positive (dentry.negative: the inode it had)
		}
		if e.Kind == trace.DentryMove {
			s += " (took " + dname[e.Target] + ")"
		}
		return s
	case strings.HasPrefix(k, "inode."):
		s := k + " " + inoName(e)
		if e.Kind == trace.InodeState {
			s += fmt.Sprintf(" %s %#x", e.Op, e.Bits)
		}
		return s
	}
	return ""
}

// inoName names an inode by its mode, since numbers depend on boot.
func inoName(e trace.Event) string {
	switch {
	case e.Mode&vfs.S_IFMT == vfs.S_IFDIR:
		return "dir"
	case e.Mode&vfs.S_IFMT == vfs.S_IFREG:
		return "reg"
	case e.Mode == 0:
		return "new"
	}
	return fmt.Sprintf("%o", e.Mode)
}

// TestTraceObjectEvents runs mkdir, create, write, rename and unlink
// with a listener and checks the exact sequence of dentry and inode
// events each causes, as Linux's dcache and icache would make them.
func TestTraceObjectEvents(t *testing.T) {
	// A clock that stands still: with the coarse clock a tick between the
	// create and the write made the write update mtime and set
	// I_DIRTY_SYNC, an event the sequence below does not list.
	still := time.Unix(1e9, 0)
	v, tk, err := boot.New(vfs.Options{Lockdep: true, Clock: func() time.Time { return still }})
	if err != nil {
		t.Fatal(err)
	}
	fd0, err := tk.Creat("/warm", 0o644) // first-use allocations out of the way
	if err != nil {
		t.Fatal(err)
	}
	tk.Close(fd0)
	l := v.Subscribe(1 << 12)
	defer l.Close()

	steps := []struct {
		name string
		run  func() error
		want []string
	}{
		{"mkdir /a", func() error { return tk.Mkdir("/a", 0o755) }, []string{
			"dentry.alloc a",
			"dentry.hash a",
			"inode.nlink dir", // the parent's inc_nlink for the new ".."
			"inode.alloc dir", // reported filled in: mode and link count set
			"dentry.instantiate a +",
		}},
		{"creat /a/f", func() error {
			fd, err := tk.Creat("/a/f", 0o644)
			if err != nil {
				return err
			}
			if _, err := tk.Write(fd, []byte("hello")); err != nil {
				return err
			}
			return tk.Close(fd)
		}, []string{
			"dentry.alloc f",
			"dentry.hash f",
			"inode.alloc reg",
			"dentry.instantiate f +",
		}},
		{"rename /a/f /a/g", func() error { return tk.Rename("/a/f", "/a/g") }, []string{
			"dentry.alloc g",
			"dentry.hash g",
			"dentry.unhash f +", // d_move: the source off its chain
			"dentry.unhash g",   // and the negative target
			"dentry.hash g +",   // the source under its new name
			"dentry.move g + (took g)",
			"dentry.kill g", // the old negative target, unhashed, freed on its last dput
		}},
		{"unlink /a/g", func() error { return tk.Unlink("/a/g") }, []string{
			"inode.nlink reg",     // drop_nlink
			"dentry.negative g +", // d_delete of an unshared dentry: unbound from its inode
			"dentry.unhash g",     // tmpfs's ->d_delete (always_delete_dentry) at the last dput
			"dentry.kill g",
			"inode.state reg set 0x20", // iput_final of the unlinked inode: I_FREEING
			"inode.evict reg",
		}},
	}
	for _, s := range steps {
		drain(l)
		if err := s.run(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		dname := map[uint64]string{}
		var got []string
		for _, e := range drain(l) {
			if e.Dentry != 0 {
				dname[e.Dentry] = e.Name
			}
			if line := objectLine(e, dname); line != "" {
				got = append(got, line)
			}
		}
		if strings.Join(got, "\n") != strings.Join(s.want, "\n") {
			t.Errorf("%s: events\n\t%s\nwant\n\t%s", s.name, strings.Join(got, "\n\t"), strings.Join(s.want, "\n\t"))
		}
	}
	if l.Lost() != 0 {
		t.Errorf("lost %d events", l.Lost())
	}
}
