package vfs_test

import (
	"bytes"
	"encoding/hex"
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// File capabilities (security.capability), with this machine's kernel
// (6.18, tmpfs) as the oracle: each row's expectation is what it gave
// for the same sequence.
//
// Removal: a write, fallocate, truncate, ftruncate, open with O_TRUNC
// and a chown (of anything but a directory) remove a non-empty
// security.capability, whoever the caller, root included
// (fs/inode.c file_remove_privs and dentry_needs_remove_privs,
// fs/open.c do_truncate and chown_common with ATTR_KILL_PRIV;
// security/commoncap.c cap_inode_need_killpriv asks for a value of size
// above 0, cap_inode_killpriv removes it). chmod and utimensat keep it.
//
// Validation (fs/xattr.c vfs_setxattr -> cap_convert_nscap, before
// i_rwsem): a non-empty value must be a version 2 header of 20 bytes or
// a version 3 header of 24 (the magic may carry only the effective
// flag), else EINVAL, also for a task that may not set it; then
// CAP_SETFCAP (EPERM); a version 3 rootid of -1 is EINVAL. An empty
// value skips all of it (cap_inode_setxattr leaves the name to
// cap_convert_nscap), so anyone may set one; it is never removed by a
// write, and getxattr of it is EINVAL (cap_inode_getsecurity). Removal
// is for CAP_SETFCAP (cap_inode_removexattr). getxattr returns a
// version 3 value of rootid 0 as version 2.
var (
	capV2     = mustHex("0100000200200000000000000000000000000000") // setcap cap_net_raw+ep
	capV3r0   = mustHex("010000030020000000000000000000000000000000000000")
	capV3r0v2 = mustHex("0100000200200000000000000000000000000000")
	capV3r5   = mustHex("000000030020000000000000000000000000000005000000")
	capV3m1   = mustHex("0000000300200000000000000000000000000000ffffffff")
)

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

func TestFileCapsKilled(t *testing.T) {
	// withCaps makes /tmp/x (0666, root's) carrying capV2.
	withCaps := func(e *vt.Env) {
		e.WriteFile("/tmp/x", "x\n", 0o666)
		e.Must(e.Root.Chmod("/tmp/x", 0o666))
		e.Must(e.Root.Setxattr("/tmp/x", XATTR_NAME_CAPS, capV2, 0))
	}
	asUser := func(e *vt.Env) { withCaps(e); e.As(1000, 1000) }
	withValue := func(v []byte) func(e *vt.Env) {
		return func(e *vt.Env) {
			e.WriteFile("/tmp/x", "x\n", 0o666)
			e.Must(e.Root.Setxattr("/tmp/x", XATTR_NAME_CAPS, v, 0))
		}
	}
	openDo := func(flags int, do func(e *vt.Env, fd int) error) func(e *vt.Env) error {
		return func(e *vt.Env) error {
			fd, err := e.T.Open("/tmp/x", flags, 0)
			if err != nil {
				return err
			}
			defer e.T.Close(fd)
			if do == nil {
				return nil
			}
			return do(e, fd)
		}
	}
	write := openDo(O_WRONLY|O_APPEND, func(e *vt.Env, fd int) error {
		_, err := e.T.Write(fd, []byte("y\n"))
		return err
	})
	zeroWrite := openDo(O_WRONLY, func(e *vt.Env, fd int) error {
		_, err := e.T.Write(fd, nil)
		return err
	})
	fallocate := openDo(O_WRONLY, func(e *vt.Env, fd int) error { return e.T.Fallocate(fd, 0, 0, 8192) })
	ftruncate := openDo(O_WRONLY, func(e *vt.Env, fd int) error { return e.T.Ftruncate(fd, 3) })
	otrunc := openDo(O_WRONLY|O_TRUNC, nil)
	truncate := func(e *vt.Env) error { return e.T.Truncate("/tmp/x", 0) }
	chown := func(uid uint32) func(e *vt.Env) error {
		return func(e *vt.Env) error { return e.T.Chown("/tmp/x", uid, NoID) }
	}
	chmod := func(e *vt.Env) error { return e.T.Chmod("/tmp/x", 0o4755) }
	utimes := func(e *vt.Env) error { return e.T.Utimensat(AT_FDCWD, "/tmp/x", nil, 0) }
	writeFoo := func(e *vt.Env) error {
		e.Must(e.Root.Setxattr("/tmp/x", "security.foo", []byte("1"), 0))
		return write(e)
	}
	// want checks what root's getxattr of name on path gives.
	want := func(path, name string, v []byte, errno Errno) func(e *vt.Env) {
		return func(e *vt.Env) {
			got, err := e.Root.Getxattr(path, name)
			if ErrnoOf(err) != errno || errno == 0 && !bytes.Equal(got, v) {
				e.TB.Fatalf("getxattr %s %s = %x, %v; want %x, %s", path, name, got, err, v, vt.Name(errnoErr(errno)))
			}
		}
	}
	gone := want("/tmp/x", XATTR_NAME_CAPS, nil, ENODATA)
	kept := want("/tmp/x", XATTR_NAME_CAPS, capV2, 0)
	dirChown := func(e *vt.Env) error {
		e.Must(e.Root.Mkdir("/tmp/d", 0o755))
		e.Must(e.Root.Setxattr("/tmp/d", XATTR_NAME_CAPS, capV2, 0))
		return e.T.Chown("/tmp/d", 5, 5)
	}
	// Twice: the second write finds nothing to remove (S_FCAPS clear)
	// and a new value set after the first is removed again.
	writeSetWrite := func(e *vt.Env) error {
		if err := write(e); err != nil {
			return err
		}
		e.Must(e.Root.Setxattr("/tmp/x", XATTR_NAME_CAPS, capV3r5, 0))
		return write(e)
	}
	vt.Run(t, []vt.Case{
		{Name: "root write removes", Setup: withCaps, Op: write, Check: gone},
		{Name: "user write removes", Setup: asUser, Op: write, Check: gone},
		{Name: "write removes a value set again", Setup: withCaps, Op: writeSetWrite, Check: gone},
		{Name: "zero-length write keeps", Setup: withCaps, Op: zeroWrite, Check: kept},
		{Name: "fallocate removes", Setup: withCaps, Op: fallocate, Check: gone},
		{Name: "truncate removes", Setup: withCaps, Op: truncate, Check: gone},
		{Name: "user truncate removes", Setup: asUser, Op: truncate, Check: gone},
		{Name: "ftruncate removes", Setup: withCaps, Op: ftruncate, Check: gone},
		{Name: "open O_TRUNC removes", Setup: withCaps, Op: otrunc, Check: gone},
		{Name: "chown -1 removes", Setup: withCaps, Op: chown(NoID), Check: gone},
		{Name: "chown removes", Setup: withCaps, Op: chown(5), Check: gone},
		{Name: "directory chown keeps", Op: dirChown, Check: want("/tmp/d", XATTR_NAME_CAPS, capV2, 0)},
		{Name: "chmod keeps", Setup: withCaps, Op: chmod, Check: kept},
		{Name: "utimensat keeps", Setup: withCaps, Op: utimes, Check: kept},
		{Name: "write keeps other security names", Setup: withCaps, Op: writeFoo, Check: want("/tmp/x", "security.foo", []byte("1"), 0)},
		{Name: "empty value survives a write", Setup: withValue([]byte{}), Op: write, Check: want("/tmp/x", XATTR_NAME_CAPS, nil, EINVAL)},
		{Name: "v3 rootid 5 removed by write", Setup: withValue(capV3r5), Op: write, Check: gone},
	})
}

func errnoErr(e Errno) error {
	if e == 0 {
		return nil
	}
	return e
}

func TestFileCapsSet(t *testing.T) {
	v2len24 := append(append([]byte{}, capV2...), 0, 0, 0, 0)
	v2flags := mustHex("0300000200000000000000000000000000000000")
	v1 := mustHex("000000010000000000000000")
	file := func(e *vt.Env) {
		e.WriteFile("/tmp/x", "x\n", 0o666)
		e.Must(e.Root.Chmod("/tmp/x", 0o666))
	}
	user := func(e *vt.Env) { file(e); e.As(1000, 1000) }
	userWithCaps := func(e *vt.Env) {
		file(e)
		e.Must(e.Root.Setxattr("/tmp/x", XATTR_NAME_CAPS, capV2, 0))
		e.As(1000, 1000)
	}
	set := func(v []byte) func(e *vt.Env) error {
		return func(e *vt.Env) error { return e.T.Setxattr("/tmp/x", XATTR_NAME_CAPS, v, 0) }
	}
	remove := func(e *vt.Env) error { return e.T.Removexattr("/tmp/x", XATTR_NAME_CAPS) }
	get := func(v []byte, errno Errno) func(e *vt.Env) {
		return func(e *vt.Env) {
			for _, tk := range []*Task{e.Root, e.T} {
				got, err := tk.Getxattr("/tmp/x", XATTR_NAME_CAPS)
				if ErrnoOf(err) != errno || errno == 0 && !bytes.Equal(got, v) {
					e.TB.Fatalf("getxattr = %x, %v; want %x, %s", got, err, v, vt.Name(errnoErr(errno)))
				}
			}
		}
	}
	absent := get(nil, ENODATA)
	vt.Run(t, []vt.Case{
		{Name: "v2", Setup: file, Op: set(capV2), Check: get(capV2, 0)},
		{Name: "v3 rootid 0 reads as v2", Setup: file, Op: set(capV3r0), Check: get(capV3r0v2, 0)},
		{Name: "v3 rootid 5 reads as v3", Setup: file, Op: set(capV3r5), Check: get(capV3r5, 0)},
		{Name: "v3 rootid -1", Setup: file, Op: set(capV3m1), Want: EINVAL, Check: absent},
		{Name: "v2 magic of 24 bytes", Setup: file, Op: set(v2len24), Want: EINVAL, Check: absent},
		{Name: "v3 magic of 20 bytes", Setup: file, Op: set(capV3r0[:20]), Want: EINVAL, Check: absent},
		{Name: "v2 with unknown flags", Setup: file, Op: set(v2flags), Want: EINVAL, Check: absent},
		{Name: "v1", Setup: file, Op: set(v1), Want: EINVAL, Check: absent},
		{Name: "garbage", Setup: file, Op: set([]byte("garbage")), Want: EINVAL, Check: absent},
		{Name: "empty", Setup: file, Op: set([]byte{}), Check: get(nil, EINVAL)},
		{Name: "user garbage is EINVAL first", Setup: user, Op: set([]byte("garbage")), Want: EINVAL, Check: absent},
		{Name: "user v2", Setup: user, Op: set(capV2), Want: EPERM, Check: absent},
		{Name: "user empty", Setup: userWithCaps, Op: set([]byte{}), Check: get(nil, EINVAL)},
		{Name: "user remove", Setup: userWithCaps, Op: remove, Want: EPERM, Check: get(capV2, 0)},
		{Name: "root remove absent", Setup: file, Op: remove, Want: ENODATA, Check: absent},
	})
}
