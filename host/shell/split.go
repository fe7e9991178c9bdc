package shell

// SimpleCommand is one simple command of a line as the shell would run
// it: its words with quotes and escapes removed, "$?" expanded and
// patterns replaced by the pathnames they match, and its redirections in
// the order written.
type SimpleCommand struct {
	Args      []string
	Redirects []Redirect
}

// Redirect is one redirection of a simple command.
type Redirect struct {
	FD     int    // 0, 1 or 2
	Op     string // "<", ">", ">>" or ">&" (written ">&" or "<&")
	Target string // the file name; for ">&", the descriptor ("1" or "2"), or "-" (close FD)
}

// Split parses line with the shell's grammar and returns its simple
// commands in order, expanded as the shell would expand them now ("$?"
// is the last status). More than one means the line joins several with
// ';', a newline, '&&', '||' or '|'. A host that runs programs the shell
// does not know (the playground's WASI guests) splits their command
// lines with it, so that quoting and redirections mean for them what
// they mean for the shell's own commands: ">&FILE" comes as ">FILE"
// then "2>&1", and "N<&M" as "N>&M" (both are dup2(M, N)). A ">&"
// whose Target is "-" closes FD for the command: its reads or writes
// there fail with EBADF. A ">&" whose Target is none of "1", "2" and
// "-" is an error the shell reports when it runs the line ("Bad file
// descriptor", or "ambiguous redirect" for a file name after "0>&",
// "2>&" or "<&").
//
// # Errors
//
// The shell's syntax errors, and "incomplete command" for a line that
// ends inside a quote, after a backslash or after an operator.
func (s *Shell) Split(line string) ([]SimpleCommand, error) {
	lists, err := parse(line)
	if err != nil {
		return nil, err
	}
	var out []SimpleCommand
	for _, ao := range lists {
		for _, p := range ao.pipes {
			for _, c := range p.cmds {
				sc := SimpleCommand{Args: make([]string, 0, len(c.words))}
				for _, w := range c.words {
					sc.Args = append(sc.Args, s.expandWord(w)...)
				}
				sc.Redirects = expandRedirects(c.redirs, s.status)
				out = append(out, sc)
			}
		}
	}
	return out, nil
}
