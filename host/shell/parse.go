package shell

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// The grammar is the small subset of the POSIX shell language (XCU 2.x)
// that a terminal session on a filesystem needs:
//
//	list     := and_or { (';' | '\n') and_or }
//	and_or   := pipeline { ('&&' | '||') pipeline }
//	pipeline := command { '|' command }
//	command  := { word | redirect }
//	redirect := [fd] ('>' | '>>' | '<') word | [fd] ('>&' | '<&') word
//
// "N>&M" and "N<&M" both make N a copy of M (dup2(M, N)), and "N>&-"
// and "N<&-" close N; they differ only in the descriptor N defaults to
// (1 and 0), so the parse keeps both as ">&".
// "[1]>&WORD", where WORD is neither a descriptor number nor "-", is
// bash's form of "&>WORD": standard output and standard error to the
// file WORD (expandRedirects). For another descriptor it is an
// ambiguous redirect.
//
// Words take single quotes, double quotes and backslash escapes as sh
// does; '#' at the start of a word begins a comment; "$?" and "${?}"
// expand to the last status. Other '$' forms are left as they are:
// there are no variables. A command's words then go through pathname
// expansion (glob.go); a redirection's target does not.

// errIncomplete reports input that ends inside a quote, after a
// backslash or after an operator that needs a right-hand side: an
// interactive reader asks for another line.
var errIncomplete = errors.New("incomplete command")

// wordPart is a piece of a word: literal text, or "$?" (expanded when
// the command runs, so `false; echo $?` sees the new status). glob
// marks unquoted text, whose '*', '?' and '[' are pattern characters
// (quoted or escaped ones are not).
type wordPart struct {
	lit    string
	status bool
	glob   bool
}

type word []wordPart

// pattern returns the word as a pathname pattern ($? replaced, quoted
// text escaped with backslashes) and whether it has an unquoted pattern
// character, that is whether pathname expansion applies to it.
func (w word) pattern(status int) (string, bool) {
	var b strings.Builder
	has := false
	for _, p := range w {
		lit := p.lit
		if p.status {
			lit = strconv.Itoa(status)
		}
		if p.glob {
			if strings.ContainsAny(lit, "*?[") {
				has = true
			}
			b.WriteString(lit)
			continue
		}
		for i := 0; i < len(lit); i++ {
			if strings.IndexByte(`*?[\`, lit[i]) >= 0 {
				b.WriteByte('\\')
			}
			b.WriteByte(lit[i])
		}
	}
	return b.String(), has
}

// expand returns the word's text with $? replaced.
func (w word) expand(status int) string {
	var b strings.Builder
	for _, p := range w {
		if p.status {
			b.WriteString(strconv.Itoa(status))
		} else {
			b.WriteString(p.lit)
		}
	}
	return b.String()
}

type redirect struct {
	fd     int    // 0, 1 or 2
	op     string // "<", ">", ">>", ">&" (">&" or "<&" written)
	target word   // file name; for ">&", the fd, "-", or a file name (expandRedirects)
	input  bool   // written "<&": never bash's "&>" form
}

// expandRedirects returns rs with their targets expanded ("$?" is
// status), in order. ">&WORD" of standard output, where WORD expands
// to neither a descriptor number nor "-", becomes ">WORD 2>&1", as
// bash's do_redirection_internal makes it r_err_and_out; for another
// descriptor, or written "<&WORD", it stays ">&WORD", which runCommand
// refuses as an ambiguous redirect.
func expandRedirects(rs []redirect, status int) []Redirect {
	out := make([]Redirect, 0, len(rs))
	for _, r := range rs {
		target := r.target.expand(status)
		if r.op == ">&" && r.fd == 1 && !r.input && !namesDescriptor(target) {
			out = append(out, Redirect{FD: 1, Op: ">", Target: target}, Redirect{FD: 2, Op: ">&", Target: "1"})
			continue
		}
		out = append(out, Redirect{FD: r.fd, Op: r.op, Target: target})
	}
	return out
}

// namesDescriptor reports whether the expanded word after ">&" is one
// bash takes as a descriptor: digits, "-" (close), or empty (a bad
// descriptor).
func namesDescriptor(w string) bool {
	if w == "-" {
		return true
	}
	for i := 0; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' {
			return false
		}
	}
	return true
}

type command struct {
	words  []word
	redirs []redirect
}

type pipeline struct{ cmds []command }

type andOr struct {
	pipes []pipeline
	ops   []string // ops[i] joins pipes[i] and pipes[i+1]: "&&" or "||"
}

type token struct {
	op string // "" for a word
	w  word
}

// lex splits src into words and operators.
func lex(src string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case c == '\n':
			toks = append(toks, token{op: "\n"})
			i++
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '\\' && i+1 < len(src) && src[i+1] == '\n':
			if i+2 == len(src) {
				return nil, errIncomplete
			}
			i += 2 // line continuation
		case c == ';':
			toks = append(toks, token{op: ";"})
			i++
		case c == '&':
			if i+1 < len(src) && src[i+1] == '&' {
				toks = append(toks, token{op: "&&"})
				i += 2
			} else {
				return nil, errors.New("syntax error: background jobs ('&') are not supported")
			}
		case c == '|':
			if i+1 < len(src) && src[i+1] == '|' {
				toks = append(toks, token{op: "||"})
				i += 2
			} else {
				toks = append(toks, token{op: "|"})
				i++
			}
		case c == '<' || c == '>':
			op, n := redirOp(src[i:])
			toks = append(toks, token{op: op})
			i += n
		default:
			// Unquoted digits right before '<' or '>' name the
			// descriptor ("2>err"), as POSIX reads any number there.
			// The shell redirects 0, 1 and 2 only: a higher one is an
			// error, never a word followed by a redirection of
			// standard output ("echo a 3>f" writing "a 3" to f).
			if j := digitsEnd(src, i); j < len(src) && (src[j] == '<' || src[j] == '>') {
				fd, err := strconv.Atoi(src[i:j])
				if err != nil || fd > 2 {
					return nil, fmt.Errorf("syntax error: redirection of descriptor %s is not supported (only 0, 1 and 2)", src[i:j])
				}
				op, n := redirOp(src[j:])
				toks = append(toks, token{op: strconv.Itoa(fd) + op})
				i = j + n
				continue
			}
			w, n, err := lexWord(src[i:])
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{w: w})
			i += n
		}
	}
	return toks, nil
}

// digitsEnd returns the end of the run of ASCII digits at src[i:].
func digitsEnd(src string, i int) int {
	for i < len(src) && src[i] >= '0' && src[i] <= '9' {
		i++
	}
	return i
}

func redirOp(s string) (string, int) {
	switch {
	case strings.HasPrefix(s, ">>"):
		return ">>", 2
	case strings.HasPrefix(s, ">&"):
		return ">&", 2
	case strings.HasPrefix(s, "<&"):
		return "<&", 2
	case strings.HasPrefix(s, ">"):
		return ">", 1
	}
	return "<", 1
}

// lexWord reads one word from the start of s and returns it with the
// number of bytes consumed.
func lexWord(s string) (word, int, error) {
	var w word
	var lit strings.Builder
	// bare: lit holds unquoted text (glob parts); a change flushes it.
	bare := false
	flush := func() {
		if lit.Len() > 0 {
			w = append(w, wordPart{lit: lit.String(), glob: bare})
			lit.Reset()
		}
	}
	setBare := func(b bool) {
		if b != bare {
			flush()
			bare = b
		}
	}
	quoted := false
	i := 0
loop:
	for i < len(s) {
		c := s[i]
		switch c {
		case ' ', '\t', '\r', '\n', ';', '&', '|', '<', '>':
			break loop
		case '\\':
			if i+1 >= len(s) {
				return nil, 0, errIncomplete
			}
			if s[i+1] == '\n' {
				if i+2 == len(s) {
					return nil, 0, errIncomplete
				}
				i += 2
				continue
			}
			setBare(false)
			lit.WriteByte(s[i+1])
			i += 2
		case '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, 0, errIncomplete
			}
			setBare(false)
			lit.WriteString(s[i+1 : i+1+j])
			quoted = true
			i += j + 2
		case '"':
			setBare(false)
			i++
			quoted = true
			for {
				if i >= len(s) {
					return nil, 0, errIncomplete
				}
				c := s[i]
				if c == '"' {
					i++
					break
				}
				if c == '\\' && i+1 < len(s) {
					switch s[i+1] {
					case '$', '`', '"', '\\':
						lit.WriteByte(s[i+1])
						i += 2
						continue
					case '\n':
						i += 2
						continue
					}
				}
				if n := statusRef(s[i:]); n > 0 {
					flush()
					w = append(w, wordPart{status: true})
					i += n
					continue
				}
				lit.WriteByte(c)
				i++
			}
		case '$':
			if n := statusRef(s[i:]); n > 0 {
				flush()
				w = append(w, wordPart{status: true})
				i += n
				continue
			}
			setBare(true)
			lit.WriteByte(c)
			i++
		default:
			setBare(true)
			lit.WriteByte(c)
			i++
		}
	}
	flush()
	if len(w) == 0 && quoted {
		w = word{{lit: ""}} // '' is an empty argument, not nothing
	}
	return w, i, nil
}

// parse turns src into the lists of and-or chains to run in order.
func parse(src string) ([]andOr, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	var out []andOr
	var cur andOr
	var pipe pipeline
	var cmd command
	empty := func(c command) bool { return len(c.words) == 0 && len(c.redirs) == 0 }
	endCmd := func(op string) error {
		if empty(cmd) {
			return errors.New("syntax error near unexpected token `" + op + "'")
		}
		pipe.cmds = append(pipe.cmds, cmd)
		cmd = command{}
		return nil
	}
	for i := 0; i < len(toks); i++ {
		tk := toks[i]
		switch tk.op {
		case "":
			cmd.words = append(cmd.words, tk.w)
		case ";", "\n":
			if empty(cmd) {
				if len(pipe.cmds) > 0 || len(cur.pipes) > 0 {
					if tk.op == "\n" {
						continue // "a &&\n b", "a |\n b"
					}
					return nil, errors.New("syntax error near unexpected token `;'")
				}
				if tk.op == ";" {
					return nil, errors.New("syntax error near unexpected token `;'")
				}
				continue
			}
			pipe.cmds = append(pipe.cmds, cmd)
			cmd = command{}
			cur.pipes = append(cur.pipes, pipe)
			pipe = pipeline{}
			out = append(out, cur)
			cur = andOr{}
		case "|":
			if err := endCmd("|"); err != nil {
				return nil, err
			}
		case "&&", "||":
			if err := endCmd(tk.op); err != nil {
				return nil, err
			}
			cur.pipes = append(cur.pipes, pipe)
			cur.ops = append(cur.ops, tk.op)
			pipe = pipeline{}
		default:
			op := tk.op
			fd := 1
			if op[0] >= '0' && op[0] <= '2' {
				fd = int(op[0] - '0')
				op = op[1:]
			} else if op == "<" || op == "<&" {
				fd = 0
			}
			input := op == "<&"
			if input {
				op = ">&"
			}
			if i+1 >= len(toks) || toks[i+1].op == "\n" {
				return nil, errors.New("syntax error near unexpected token `newline'")
			}
			if toks[i+1].op != "" {
				return nil, errors.New("syntax error near unexpected token `" + toks[i+1].op + "'")
			}
			i++
			cmd.redirs = append(cmd.redirs, redirect{fd: fd, op: op, target: toks[i].w, input: input})
		}
	}
	if empty(cmd) {
		if len(pipe.cmds) > 0 || len(cur.pipes) > 0 {
			return nil, errIncomplete
		}
		return out, nil
	}
	pipe.cmds = append(pipe.cmds, cmd)
	cur.pipes = append(cur.pipes, pipe)
	out = append(out, cur)
	return out, nil
}

// statusRef is the length of the "$?" or "${?}" s starts with, 0 if
// none.
func statusRef(s string) int {
	switch {
	case strings.HasPrefix(s, "$?"):
		return 2
	case strings.HasPrefix(s, "${?}"):
		return 4
	}
	return 0
}
