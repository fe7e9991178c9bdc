package shell

import (
	"strings"
	"testing"
)

// TestParseWords checks word splitting, quoting and escapes: each case's
// words, expanded with $? = 3, bracketed.
func TestParseWords(t *testing.T) {
	tests := []struct{ in, want string }{
		{`a b`, "[a][b]"},
		{"a \t b", "[a][b]"},
		{`'a b'`, "[a b]"},
		{`"a b"`, "[a b]"},
		{`a\ b`, "[a b]"},
		{`'a'"b"c`, "[abc]"},
		{`"a'b"`, "[a'b]"},
		{`'a"b'`, `[a"b]`},
		{`"a\"b"`, `[a"b]`},
		{`"a\b"`, `[a\b]`},
		{`"a\\b"`, `[a\b]`},
		{`"\$x"`, `[$x]`},
		{`'a\b'`, `[a\b]`},
		{`a\\b`, `[a\b]`},
		{`""`, "[]"},
		{`'' ''`, "[][]"},
		{`a""b`, "[ab]"},
		{`$? "$?" '$?' \$? x$?y`, "[3][3][$?][$?][x3y]"},
		{`$HOME $`, "[$HOME][$]"},
		{`a#b #c`, "[a#b]"},
		{`'#' "#"`, "[#][#]"},
		{`"x;y" 'x|y' x\&y x\>y`, "[x;y][x|y][x&y][x>y]"},
		{"\"a\nb\"", "[a\nb]"},
		{"a\\\nb", "[ab]"},
	}
	for _, tc := range tests {
		lists, err := parse(tc.in)
		if err != nil || len(lists) != 1 || len(lists[0].pipes) != 1 || len(lists[0].pipes[0].cmds) != 1 {
			t.Errorf("%q: %v %+v", tc.in, err, lists)
			continue
		}
		var b strings.Builder
		for _, w := range lists[0].pipes[0].cmds[0].words {
			b.WriteString("[" + w.expand(3) + "]")
		}
		if got := b.String(); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestParseStructure checks lists, and-or chains, pipes and
// redirections, and what is incomplete or an error.
func TestParseStructure(t *testing.T) {
	tests := []struct {
		in   string
		want string // lists separated by " ; ", commands rendered
		err  string
	}{
		{in: "a; b\nc", want: "a ; b ; c"},
		{in: "a && b || c", want: "a && b || c"},
		{in: "a | b | c", want: "a | b | c"},
		{in: "echo x > f >> g < h 2> e 2>&1 2>>e2", want: "echo x 1>f 1>>g 0<h 2>e 2>&1 2>>e2"},
		{in: "echo x>f", want: "echo x 1>f"},
		{in: "> f", want: "1>f"},
		{in: "echo 2>f", want: "echo 2>f"},
		{in: "echo a2>f", want: "echo a2 1>f"},
		{in: "echo '2'>f", want: "echo 2 1>f"},
		{in: "echo 02>f", want: "echo 2>f"},
		{in: "echo 10 > f", want: "echo 10 1>f"},
		{in: "echo a 3>f", err: "syntax error: redirection of descriptor 3 is not supported (only 0, 1 and 2)"},
		{in: "echo c 9>>h", err: "syntax error: redirection of descriptor 9 is not supported (only 0, 1 and 2)"},
		{in: "echo b 12>g", err: "syntax error: redirection of descriptor 12 is not supported (only 0, 1 and 2)"},
		{in: "cat 3<f", err: "syntax error: redirection of descriptor 3 is not supported (only 0, 1 and 2)"},
		{in: "", want: ""},
		{in: "# only a comment\n\n", want: ""},
		{in: ";", err: "syntax error near unexpected token `;'"},
		{in: "a ;;", err: "syntax error near unexpected token `;'"},
		{in: "| a", err: "syntax error near unexpected token `|'"},
		{in: "a && && b", err: "syntax error near unexpected token `&&'"},
		{in: "a >", err: "syntax error near unexpected token `newline'"},
		{in: "a > ;", err: "syntax error near unexpected token `;'"},
		{in: "a &", err: "syntax error: background jobs ('&') are not supported"},
		{in: "a &&", err: errIncomplete.Error()},
		{in: "a |", err: errIncomplete.Error()},
		{in: "a &&\nb", want: "a && b"},
		{in: "'a", err: errIncomplete.Error()},
		{in: "\"a", err: errIncomplete.Error()},
		{in: "a\\", err: errIncomplete.Error()},
		{in: "a\\\n", err: errIncomplete.Error()},
	}
	for _, tc := range tests {
		lists, err := parse(tc.in)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%q: error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if got := render(lists); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.in, got, tc.want)
		}
	}
}

func render(lists []andOr) string {
	var parts []string
	for _, ao := range lists {
		var b strings.Builder
		for i, p := range ao.pipes {
			if i > 0 {
				b.WriteString(" " + ao.ops[i-1] + " ")
			}
			for j, c := range p.cmds {
				if j > 0 {
					b.WriteString(" | ")
				}
				var ws []string
				for _, w := range c.words {
					ws = append(ws, w.expand(0))
				}
				for _, r := range c.redirs {
					ws = append(ws, string(rune('0'+r.fd))+r.op+r.target.expand(0))
				}
				b.WriteString(strings.Join(ws, " "))
			}
		}
		parts = append(parts, b.String())
	}
	return strings.Join(parts, " ; ")
}

// TestModes checks chmod's mode language against what GNU chmod does.
func TestModes(t *testing.T) {
	tests := []struct {
		mode  string
		old   uint32
		dir   bool
		umask uint32
		want  uint32
		bad   bool
	}{
		{mode: "755", old: 0o644, want: 0o755},
		{mode: "4755", old: 0o644, want: 0o4755},
		{mode: "0", old: 0o777, want: 0},
		{mode: "u+x", old: 0o644, want: 0o744},
		{mode: "go-w", old: 0o666, want: 0o644},
		{mode: "a=r", old: 0o777, want: 0o444},
		{mode: "+x", old: 0o644, umask: 0o022, want: 0o755},
		{mode: "+w", old: 0o444, umask: 0o022, want: 0o644},
		{mode: "=rw", old: 0o777, umask: 0o022, want: 0o644},
		{mode: "u=rwx,g=u,o=", old: 0o644, want: 0o770},
		{mode: "g=u", old: 0o640, want: 0o660},
		{mode: "a+X", old: 0o644, want: 0o644},
		{mode: "a+X", old: 0o744, want: 0o755},
		{mode: "a+X", old: 0o644, dir: true, want: 0o755},
		{mode: "u+s,g+s", old: 0o755, want: 0o6755},
		{mode: "+t", old: 0o777, dir: true, want: 0o1777},
		{mode: "o-x", old: 0o1777, dir: true, want: 0o1776},
		{mode: "u+x-w", old: 0o644, want: 0o544},
		{mode: "755", old: 0o2755, dir: true, want: 0o2755}, // setgid kept on directories
		{mode: "00755", old: 0o2755, dir: true, want: 0o755},
		{mode: "zz", bad: true},
		{mode: "u+z", bad: true},
		{mode: "8", bad: true},
		{mode: "77777", bad: true},
		{mode: "u", bad: true},
		{mode: "", bad: true},
	}
	for _, tc := range tests {
		ch, ok := compileMode(tc.mode)
		if ok == tc.bad {
			t.Errorf("%q: valid %v", tc.mode, ok)
			continue
		}
		if tc.bad {
			continue
		}
		if got := adjustMode(tc.old, tc.dir, tc.umask, ch); got != tc.want {
			t.Errorf("%q on %o: got %o, want %o", tc.mode, tc.old, got, tc.want)
		}
	}
}

func TestQuote(t *testing.T) {
	for in, want := range map[string][2]string{
		"a":     {"'a'", "a"},
		"a b":   {"'a b'", "'a b'"},
		"it's":  {`"it's"`, `"it's"`},
		`a'$b`:  {`'a'\''$b'`, `'a'\''$b'`},
		"":      {"''", "''"},
		"d/e.f": {"'d/e.f'", "d/e.f"},
		"~x":    {"'~x'", "'~x'"},
		"x~":    {"'x~'", "x~"},
	} {
		if got := quote(in); got != want[0] {
			t.Errorf("quote(%q) = %s, want %s", in, got, want[0])
		}
		if got := quotef(in); got != want[1] {
			t.Errorf("quotef(%q) = %s, want %s", in, got, want[1])
		}
	}
}
