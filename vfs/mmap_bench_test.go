package vfs_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/tmpfs"
)

// The cost of an access through a mapping against pread/pwrite of the
// same 4 KiB on a tmpfs file of 4 MiB, all pages mapped (no faults in
// the loop): the copy under the folio lock and the PTE check, against
// the read and write paths. BenchmarkMmapFault measures a read fault
// (->map_pages maps 16 pages per fault).
const mbFile = 4 << 20

func mbEnv(b *testing.B, prot, flags int) (*vfs.Task, int, *vfs.Mapping) {
	v := vfs.New(vfs.Options{})
	tk := v.NewTask("bench", vfs.RootCred)
	if err := tmpfs.Register(tk, v); err != nil {
		b.Fatal(err)
	}
	if err := v.MountRoot(tk, "tmpfs", "mode=755"); err != nil {
		b.Fatal(err)
	}
	fd, err := tk.Open("/f", vfs.O_RDWR|vfs.O_CREAT, 0o644)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := tk.Pwrite(fd, make([]byte, mbFile), 0); err != nil {
		b.Fatal(err)
	}
	vma, err := tk.Mmap(fd, 0, mbFile, prot, flags)
	if err != nil {
		b.Fatal(err)
	}
	return tk, fd, vma
}

func BenchmarkMmapLoad4K(b *testing.B) {
	_, _, vma := mbEnv(b, vfs.PROT_READ, vfs.MAP_SHARED)
	buf := make([]byte, P)
	for off := int64(0); off < mbFile; off += P {
		vma.Load(off, buf)
	}
	b.SetBytes(P)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := vma.Load(int64(i%(mbFile/P))*P, buf); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMmapStore4K(b *testing.B) {
	_, _, vma := mbEnv(b, vfs.PROT_READ|vfs.PROT_WRITE, vfs.MAP_SHARED)
	buf := make([]byte, P)
	for off := int64(0); off < mbFile; off += P {
		vma.Store(off, buf)
	}
	b.SetBytes(P)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := vma.Store(int64(i%(mbFile/P))*P, buf); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPread4K(b *testing.B) {
	tk, fd, _ := mbEnv(b, vfs.PROT_READ, vfs.MAP_SHARED)
	buf := make([]byte, P)
	b.SetBytes(P)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := tk.Pread(fd, buf, int64(i%(mbFile/P))*P); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPwrite4K(b *testing.B) {
	tk, fd, _ := mbEnv(b, vfs.PROT_READ, vfs.MAP_SHARED)
	buf := make([]byte, P)
	b.SetBytes(P)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := tk.Pwrite(fd, buf, int64(i%(mbFile/P))*P); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMmapFault(b *testing.B) {
	tk, fd, vma := mbEnv(b, vfs.PROT_READ, vfs.MAP_SHARED)
	buf := make([]byte, 8)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		off := int64(i%(mbFile/P)) * P
		if off == 0 {
			b.StopTimer()
			tk.Munmap(vma)
			var err error
			if vma, err = tk.Mmap(fd, 0, mbFile, vfs.PROT_READ, vfs.MAP_SHARED); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		if _, err := vma.Load(off, buf); err != nil {
			b.Fatal(err)
		}
	}
}
