package trace

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"testing"
)

// TestPrintExamples prints the examples in the form docs/trace-schema.md
// shows them, to paste when the schema changes:
// VFSCOPE_PRINT_EXAMPLES=1 go test ./vfs/trace -run TestPrintExamples -v
func TestPrintExamples(t *testing.T) {
	if os.Getenv("VFSCOPE_PRINT_EXAMPLES") != "1" {
		t.Skip("set VFSCOPE_PRINT_EXAMPLES=1 to print")
	}
	for _, e := range exampleEvents() {
		b, _ := Marshal(&e)
		fmt.Printf("%s\n%s\n\n", e.Kind, b)
	}
	s := exampleSnapshot()
	b, _ := Marshal(&s)
	var ind bytes.Buffer
	json.Indent(&ind, b, "", "  ")
	fmt.Printf("%s\n", ind.Bytes())
}
