package vfs_test

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestPageFlagsDocumented: every PG_* bit a page event can carry is in
// docs/trace-schema.md with its value, so the schema cannot fall behind
// vfs/folio.go.
func TestPageFlagsDocumented(t *testing.T) {
	b, err := os.ReadFile("../docs/trace-schema.md")
	if err != nil {
		t.Skip("docs not beside the package:", err)
	}
	doc := strings.Join(strings.Fields(string(b)), " ")
	for i := range 32 {
		names := vfs.FolioFlagNames(1 << i)
		if len(names) == 0 {
			continue
		}
		want := fmt.Sprintf(`\b%s %d\b`, names[0], 1<<i)
		if !regexp.MustCompile(want).MatchString(doc) {
			t.Errorf("docs/trace-schema.md does not list page flag %q = %d", names[0], 1<<i)
		}
	}
}
