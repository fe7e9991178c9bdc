package vfs

import (
	"strings"
	"testing"
)

// ->show_options' error comes back from its wrapper, for the read of
// /proc/mounts to return as show_vfsmnt and show_mountinfo return it.
func TestLockcheckShowOptionsError(t *testing.T) {
	for _, fail := range []error{nil, ENOMEM, EINVAL} {
		v, tk, sb := pcEnv(t)
		ops := SuperOperations{}
		if sb.Ops != nil {
			ops = *sb.Ops
		}
		ops.ShowOptions = func(t *Task, w *strings.Builder, root *Dentry) error {
			w.WriteString(",lockcheck")
			return fail
		}
		sb.Ops = &ops
		var b strings.Builder
		tk.vfs.namespaceSem.RLock(tk.o) // as the /proc/mounts reader holds it
		err := tk.sopShowOptions(sb, &b)
		tk.vfs.namespaceSem.RUnlock(tk.o)
		if err != fail || b.String() != ",lockcheck" {
			t.Errorf("show_options returning %v: %q, %v", fail, b.String(), err)
		}
		pcNoReports(t, v)
	}
}
