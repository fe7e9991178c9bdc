package billyfs

import (
	"errors"
	"strings"
	"testing"

	"github.com/go-git/go-billy/v5/memfs"
	"github.com/go-git/go-billy/v5/util"

	"github.com/vfscope/vfscope/vfs"
)

func TestParseOptions(t *testing.T) {
	if err := RegisterStore("opts-test", memfs.New()); err != nil {
		t.Fatal(err)
	}
	defer ForgetStore("opts-test")
	foreign := memfs.New()
	util.WriteFile(foreign, "notes.txt", nil, 0o644)
	if err := RegisterStore("opts-foreign", foreign); err != nil {
		t.Fatal(err)
	}
	defer ForgetStore("opts-foreign")
	cases := []struct {
		dev, data string
		show      string // what /proc/mounts shows; "" when the options are bad
		why       string // part of the error message
	}{
		{"none", "store=mem", ",store=mem", ""},
		{"none", "store=mem:x,size=1m,nr_inodes=10", ",store=mem:x,size=1024k,nr_inodes=10", ""},
		{"mem:y", "", ",store=mem:y", ""},
		// The source may hold any byte: what a mount-table parser
		// splits on is escaped (seq_show_option).
		{"mem:a b\tc\\d", "", `,store=mem:a\040b\011c\134d`, ""},
		{"none", "store=opts-test,size=4097", ",store=opts-test,size=8k", ""},
		{"none", "", "", "missing"},
		{"", "size=1m", "", "missing"},
		{"none", "store=", "", "needs a value"},
		{"none", "store=mem:", "", "needs a name"},
		{"none", "store=nosuch", "", "no store is registered"},
		{"none", "store=tape:/dev/st0", "", "unknown kind of store tape"},
		{"none", "store=mem,size=lots", "", "not a size"},
		{"none", "store=mem,size=-1", "", "not a size"},
		{"none", "store=mem,nr_inodes", "", "not a count"},
		{"none", "store=mem,casefold", "", "unknown option"},
		{"opts-foreign", "", "", "holds other files and no billyfs superblock"},
	}
	for _, c := range cases {
		err := CheckOptions(c.dev, c.data)
		if c.show == "" {
			if err == nil || !strings.Contains(err.Error(), c.why) || !errors.Is(err, vfs.EINVAL) {
				t.Errorf("%s %q: got %v, want an EINVAL saying %q", c.dev, c.data, err, c.why)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s %q: %v", c.dev, c.data, err)
			continue
		}
		var o options
		parseOptions(c.data, &o, false)
		o.storeOf(c.dev)
		var w strings.Builder
		o.show(&w)
		if w.String() != c.show {
			t.Errorf("%s %q shows %q, want %q", c.dev, c.data, w.String(), c.show)
		}
	}
}

func TestRemountOptions(t *testing.T) {
	o := options{store: "mem:a"}
	if err := parseOptions("size=8k", &o, true); err != nil || o.maxBlocks != 2 {
		t.Fatalf("size on remount: %v %+v", err, o)
	}
	if err := parseOptions("store=mem:a", &o, true); err != nil {
		t.Fatalf("same store on remount: %v", err)
	}
	if err := parseOptions("store=mem:b", &o, true); err == nil {
		t.Fatal("a remount changed the store")
	}
}

func TestRegisterStoreNames(t *testing.T) {
	for _, bad := range []string{"", "a:b", "a,b", "mem"} {
		if RegisterStore(bad, memfs.New()) == nil {
			t.Errorf("RegisterStore(%q) succeeded", bad)
		}
	}
}
