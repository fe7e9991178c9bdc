package vfs_test

import (
	"strings"
	"testing"

	. "github.com/vfscope/vfscope/vfs"
)

// TestSeqShowOption: seq_show_option escapes ",= \t\n\\" in a name and
// ", \t\n\\" in a value as three-digit octal; an empty value is left out.
func TestSeqShowOption(t *testing.T) {
	for _, c := range []struct{ name, value, want string }{
		{"store", "mem", ",store=mem"},
		{"store", "os:/a b", `,store=os:/a\040b`},
		{"store", "x,y=z", `,store=x\054y=z`},
		{"store", "t\tn\nb\\", `,store=t\011n\012b\134`},
		{"a=b", "", `,a\075b`},
		{"ro", "", ",ro"},
	} {
		var b strings.Builder
		SeqShowOption(&b, c.name, c.value)
		if b.String() != c.want {
			t.Errorf("SeqShowOption(%q, %q) = %q, want %q", c.name, c.value, b.String(), c.want)
		}
	}
}
