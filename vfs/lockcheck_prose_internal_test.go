package vfs

import (
	"strings"
	"testing"
)

// The locking.rst requirements that live in a cell's parenthesis or in
// the text below a table rather than in a column: show_options' "no
// (namespace_sem)", and file_system_type's "->mount() returns ... the
// root dentry; its superblock should be locked on return" and
// "->kill_sb() takes a write-locked superblock". Each is asserted: a
// call made without the lock is a locking violation, one made with it
// is not.
func TestLockcheckProseRows(t *testing.T) {
	mountFS := func(leakUnlocked bool) *FileSystemType {
		return &FileSystemType{
			Name: "lockcheck",
			Mount: func(t *Task, fst *FileSystemType, flags uint32, dev, data string) (*Dentry, error) {
				root, err := MountNodev(t, fst, flags, data, func(t *Task, sb *SuperBlock, data string) error {
					in := NewInode(t, sb)
					in.SetModeType(S_IFDIR | 0o755)
					in.SetNlink(2)
					d, err := MakeRoot(t, in)
					if err != nil {
						return err
					}
					sb.SetRoot(d)
					return nil
				})
				if err == nil && leakUnlocked {
					root.sb.umount.Unlock(t.o) // the bug: returned unlocked
				}
				return root, err
			},
			KillSB: KillAnonSuper,
		}
	}
	mount := func(leakUnlocked bool) func(*testing.T, *Task, *SuperBlock) {
		return func(t *testing.T, tk *Task, _ *SuperBlock) {
			fst := mountFS(leakUnlocked)
			if err := tk.vfs.RegisterFilesystem(tk, fst); err != nil {
				t.Fatal(err)
			}
			root, err := tk.fstMount(fst, 0, "none", "")
			if err != nil {
				t.Fatal(err)
			}
			if !leakUnlocked {
				root.sb.umount.Unlock(tk.o) // as do_new_mount_fc does
			}
			dput(tk, root)
			deactivateSuper(tk, root.sb)
		}
	}
	killSB := func(locked bool) func(*testing.T, *Task, *SuperBlock) {
		return func(t *testing.T, tk *Task, real *SuperBlock) {
			calls := 0
			sb := &SuperBlock{fsType: &FileSystemType{Name: "lockcheck", KillSB: func(t *Task, sb *SuperBlock) { calls++ }}}
			sb.umount.Init(real.fsType.keys.sUmount, 0)
			if locked {
				sb.umount.Lock(tk.o)
			}
			tk.fstKillSB(sb)
			if locked {
				sb.umount.Unlock(tk.o) // the no-op ->kill_sb left it
			}
			if calls != 1 {
				t.Fatalf("->kill_sb called %d times", calls)
			}
		}
	}
	showOptions := func(hold string) func(*testing.T, *Task, *SuperBlock) {
		return func(t *testing.T, tk *Task, sb *SuperBlock) {
			ops := SuperOperations{}
			if sb.Ops != nil {
				ops = *sb.Ops
			}
			ops.ShowOptions = func(t *Task, w *strings.Builder, root *Dentry) error {
				w.WriteString(",lockcheck")
				return nil
			}
			sb.Ops = &ops
			ns := &tk.vfs.namespaceSem
			switch hold {
			case "shared":
				ns.RLock(tk.o)
				defer ns.RUnlock(tk.o)
			case "exclusive":
				ns.Lock(tk.o)
				defer ns.Unlock(tk.o)
			}
			var b strings.Builder
			if err := tk.sopShowOptions(sb, &b); err != nil || b.String() != ",lockcheck" {
				t.Fatalf("show_options: %q, %v", b.String(), err)
			}
		}
	}
	for _, c := range []struct {
		name string
		run  func(*testing.T, *Task, *SuperBlock)
		want string // a violation naming this, or "" for none
	}{
		{"show_options under namespace_sem shared", showOptions("shared"), ""},
		{"show_options under namespace_sem exclusive", showOptions("exclusive"), ""},
		{"show_options without namespace_sem", showOptions(""), "super_operations.show_options called by task 1 (pctest): namespace_sem not held"},
		{"kill_sb with s_umount write-locked", killSB(true), ""},
		{"kill_sb without s_umount", killSB(false), "file_system_type.kill_sb called by task 1 (pctest): s_umount held unheld, row says write"},
		{"mount returns its superblock locked", mount(false), ""},
		{"mount returns its superblock unlocked", mount(true), "file_system_type.mount of lockcheck returned to task 1 (pctest): s_umount held unheld"},
	} {
		t.Run(c.name, func(t *testing.T) {
			v, tk, sb := pcEnv(t)
			c.run(t, tk, sb)
			vs := v.LockingViolations()
			switch {
			case c.want == "" && len(vs) != 0:
				t.Errorf("violations: %q", vs)
			case c.want != "" && (len(vs) != 1 || !strings.HasPrefix(vs[0], c.want)):
				t.Errorf("violations: %q, want one starting %q", vs, c.want)
			}
			for _, r := range v.Validator().Reports() {
				t.Errorf("validator report:\n%s", r.Text)
			}
		})
	}
}
