package billyfs

import (
	"reflect"
	"testing"
)

func TestSuperRecordRoundTrip(t *testing.T) {
	for _, r := range []superRecord{
		{},
		{flags: superClean, nextIno: 1 << 40, inodes: 7, blocks: 1 << 33},
	} {
		b := r.encode()
		var got superRecord
		if !got.decode(b) || got != r {
			t.Errorf("round trip of %+v gave %+v", r, got)
		}
		for i := range b {
			bad := append([]byte{}, b...)
			bad[i] ^= 0x40
			if got.decode(bad) {
				t.Errorf("a record with byte %d flipped decoded", i)
			}
		}
		if got.decode(b[:len(b)-1]) {
			t.Error("a short record decoded")
		}
	}
}

func TestInodeRecordRoundTrip(t *testing.T) {
	cases := []inodeRecord{
		{ino: 2, mode: 0o40755, nlink: 2, extents: []extent{}},
		{ino: 99, mode: 0o100644, uid: 1000, gid: 100, nlink: 3, size: 1 << 40,
			atime: 1, mtime: -2, ctime: 3, btime: 4, rdev: 0x0801, flags: 1,
			xattrs:  map[string][]byte{"user.a": []byte("1"), "trusted.b": {}},
			extents: []extent{{0, 3}, {10, 1}, {1 << 30, 5}}},
		{ino: 5, mode: 0o120777, nlink: 1, size: 6, link: "target", extents: []extent{}},
	}
	for _, r := range cases {
		b := r.encode()
		var got inodeRecord
		if !got.decode(b) {
			t.Fatalf("record of ino %d did not decode", r.ino)
		}
		if !reflect.DeepEqual(got, r) {
			t.Errorf("round trip:\n got %+v\nwant %+v", got, r)
		}
		for i := range b {
			bad := append([]byte{}, b...)
			bad[i] ^= 1
			var g inodeRecord
			if g.decode(bad) {
				t.Errorf("ino %d: byte %d flipped decoded", r.ino, i)
			}
		}
		for n := 0; n < len(b); n++ {
			var g inodeRecord
			if g.decode(b[:n]) {
				t.Errorf("ino %d: a record cut at %d decoded", r.ino, n)
			}
		}
	}
}

func TestDirLogReplay(t *testing.T) {
	var b []byte
	for _, r := range []dirRecord{
		{op: dirAdd, typ: 8, ino: 10, name: "a"},
		{op: dirAdd, typ: 4, ino: 11, name: "dir"},
		{op: dirDel, name: "a"},
		{op: dirAdd, typ: 8, ino: 12, name: "a"},
	} {
		b = r.append(b)
	}
	full := len(b)
	tail := dirRecord{op: dirAdd, typ: 8, ino: 13, name: "torn"}
	b = tail.append(b)
	cases := []struct {
		name  string
		log   []byte
		recs  int
		names map[string]uint64
	}{
		{"whole", b, 5, map[string]uint64{"a": 12, "dir": 11, "torn": 13}},
		{"torn tail", b[:len(b)-2], 4, map[string]uint64{"a": 12, "dir": 11}},
		{"damaged tail", append(append([]byte{}, b[:full]...), append([]byte{0xff}, b[full+1:]...)...), 4, map[string]uint64{"a": 12, "dir": 11}},
		{"empty", nil, 0, map[string]uint64{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			di := newDirInfo()
			n := replayDir(c.log, di.add, di.remove)
			if n != c.recs {
				t.Errorf("replayed %d records, want %d", n, c.recs)
			}
			got := map[string]uint64{}
			for k, e := range di.byName {
				got[k] = e.ino
			}
			if !reflect.DeepEqual(got, c.names) {
				t.Errorf("entries %v, want %v", got, c.names)
			}
		})
	}
}
