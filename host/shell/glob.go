package shell

import (
	"path"
	"strings"

	"github.com/vfscope/vfscope/vfs"
)

// Pathname expansion (XCU 2.13.3), as bash 5.2 does it by default: an
// unquoted '*', '?' or '[' makes a word a pattern, matched component by
// component against the directories of the VFS, as the shell's task
// sees them. The matches replace the word, sorted bytewise (the C
// locale); a pattern that matches nothing stays as it is written (no
// nullglob or failglob). A name starting with '.' is matched only by a
// component that starts with a literal '.', and "." and ".." never are
// (bash 5.2's globskipdots). A directory that cannot be read matches
// nothing, as glob(3) ignores it without GLOB_ERR.

// expandWord is a word's fields after expansion: "$?" replaced, then
// pathname expansion where the word has an unquoted pattern character.
func (s *Shell) expandWord(w word) []string {
	pat, isGlob := w.pattern(s.status)
	if isGlob {
		if m := s.glob(pat); len(m) > 0 {
			return m
		}
	}
	return []string{w.expand(s.status)}
}

// glob returns the pathnames pat matches, sorted; nil if none.
func (s *Shell) glob(pat string) []string {
	dirOnly := strings.HasSuffix(pat, "/")
	comps := strings.Split(strings.Trim(pat, "/"), "/")
	prefix := []string{""}
	if strings.HasPrefix(pat, "/") {
		prefix = []string{"/"}
	}
	for i, comp := range comps {
		last := i == len(comps)-1
		if comp == "" {
			continue // "a//b"
		}
		var next []string
		if !hasPatternChar(comp) {
			name := unescapePattern(comp)
			for _, p := range prefix {
				// A literal component is taken as it is where it is not
				// the last one; the last must exist.
				q := p + name
				if !last || s.exists(q, dirOnly) {
					next = append(next, q)
				}
			}
		} else {
			m := strings.ReplaceAll(comp, "[!", "[^")
			for _, p := range prefix {
				dir := p
				if dir == "" {
					dir = "."
				}
				ents, err := readDir(s.t, dir)
				if err != nil {
					continue
				}
				for _, e := range ents {
					if e.Name == "." || e.Name == ".." || e.Name[0] == '.' && comp[0] != '.' {
						continue
					}
					if ok, err := path.Match(m, e.Name); err != nil || !ok {
						continue
					}
					q := p + e.Name
					if (!last || dirOnly) && !s.exists(q, true) {
						continue
					}
					next = append(next, q)
				}
			}
		}
		if !last {
			for j := range next {
				next[j] += "/"
			}
		}
		prefix = next
		if len(prefix) == 0 {
			return nil
		}
	}
	if dirOnly {
		for j := range prefix {
			prefix[j] += "/"
		}
	}
	return prefix
}

// exists reports whether p names a file (a symlink too, dangling or
// not, as glob(3)'s lstat sees it), or a directory if dir (following
// symlinks).
func (s *Shell) exists(p string, dir bool) bool {
	var st vfs.Stat
	if !dir {
		return s.t.Lstat(p, &st) == nil
	}
	return s.t.Stat(p, &st) == nil && vfs.IsDir(st.Mode)
}

// hasPatternChar reports whether a component has an unescaped '*', '?'
// or '['.
func hasPatternChar(comp string) bool {
	for i := 0; i < len(comp); i++ {
		switch comp[i] {
		case '\\':
			i++
		case '*', '?', '[':
			return true
		}
	}
	return false
}

// unescapePattern removes the backslashes that quote a component's
// characters.
func unescapePattern(comp string) string {
	if !strings.Contains(comp, `\`) {
		return comp
	}
	var b strings.Builder
	for i := 0; i < len(comp); i++ {
		if comp[i] == '\\' && i+1 < len(comp) {
			i++
		}
		b.WriteByte(comp[i])
	}
	return b.String()
}
