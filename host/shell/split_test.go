package shell_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestSplit checks the simple commands Split gives a host: quotes
// removed, "$?" expanded with the last status, redirections kept apart
// from the arguments, several commands when the line joins them.
func TestSplit(t *testing.T) {
	sh, _, _ := newShell(t, "")
	sh.RunString("false") // $? = 1
	tests := []struct {
		line string
		want string // commands separated by " ; ", each "[arg]... fd op target..."
		err  string
	}{
		{line: `busybox echo "hello world" 'a  b' c\ d`, want: "[busybox][echo][hello world][a  b][c d]"},
		{line: `busybox echo $? "$?" '$?'`, want: "[busybox][echo][1][1][$?]"},
		{line: `busybox ls -l > out`, want: "[busybox][ls][-l] 1>out"},
		{line: `busybox ls>>"my out" 2>&1`, want: "[busybox][ls] 1>>my out 2>&1"},
		{line: `x.wasm < in 2> err`, want: "[x.wasm] 0<in 2>err"},
		{line: `x.wasm >&out`, want: "[x.wasm] 1>out 2>&1"},
		{line: `x.wasm 2>e 1>&"o u"`, want: "[x.wasm] 2>e 1>o u 2>&1"},
		{line: `x.wasm >&2 2>&1`, want: "[x.wasm] 1>&2 2>&1"},
		{line: `x.wasm 2>&f`, want: "[x.wasm] 2>&f"},
		{line: `x.wasm >&- 2<&-`, want: "[x.wasm] 1>&- 2>&-"},
		{line: `x.wasm <&- 0>&-`, want: "[x.wasm] 0>&- 0>&-"},
		{line: `x.wasm 1<&f <&2`, want: "[x.wasm] 1>&f 0>&2"},
		{line: `a <&`, err: "syntax error near unexpected token `newline'"},
		{line: `> f`, want: " 1>f"},
		{line: `a; b && c | d`, want: "[a] ; [b] ; [c] ; [d]"},
		{line: `busybox ls # comment`, want: "[busybox][ls]"},
		{line: ``, want: ""},
		{line: `echo "unterminated`, err: "incomplete command"},
		{line: `a >`, err: "syntax error near unexpected token `newline'"},
	}
	for _, tc := range tests {
		cmds, err := sh.Split(tc.line)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%q: error %v, want %q", tc.line, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.line, err)
			continue
		}
		var parts []string
		for _, c := range cmds {
			var b strings.Builder
			for _, a := range c.Args {
				b.WriteString("[" + a + "]")
			}
			for _, r := range c.Redirects {
				fmt.Fprintf(&b, " %d%s%s", r.FD, r.Op, r.Target)
			}
			parts = append(parts, b.String())
		}
		if got := strings.Join(parts, " ; "); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.line, got, tc.want)
		}
	}
}
