package vfs

import "strings"

// SeqShowOption is seq_show_option(), for a filesystem's ->show_options:
// ",name=value", with the bytes a mount-table parser would split on
// escaped as three-digit octal (seq_escape): ",= \t\n\\" in the name and
// ", \t\n\\" in the value. An empty value writes ",name" alone.
func SeqShowOption(w *strings.Builder, name, value string) {
	w.WriteByte(',')
	seqEscape(w, name, ",= \t\n\\")
	if value != "" {
		w.WriteByte('=')
		seqEscape(w, value, ", \t\n\\")
	}
}

// seqEscape is seq_escape(): each byte of s found in esc as \ooo.
func seqEscape(w *strings.Builder, s, esc string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if strings.IndexByte(esc, c) < 0 {
			w.WriteByte(c)
			continue
		}
		w.WriteByte('\\')
		w.WriteByte('0' + c>>6)
		w.WriteByte('0' + c>>3&7)
		w.WriteByte('0' + c&7)
	}
}
