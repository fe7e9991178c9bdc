package shell_test

import "testing"

// TestGlob: unquoted '*', '?' and '[...]' expand to the matching
// pathnames, sorted; quoted or escaped ones do not; a pattern without
// matches stays as written; dot files need a literal '.', and "." and
// ".." never match. The outputs are bash 5.2's on the same tree.
func TestGlob(t *testing.T) {
	tests := []scriptCase{
		{"*", "echo *", "a.txt b.txt c.md d e\n"},
		{"suffix", "echo *.txt", "a.txt b.txt\n"},
		{"?", "echo ?.md", "c.md\n"},
		{"brackets", "echo [ab].txt [!a].txt", "a.txt b.txt b.txt\n"},
		{"ranges", "echo [a-c]*", "a.txt b.txt c.md\n"},
		{"no match stays", "echo *.go; ls *.go; echo $?", "*.go\nls: cannot access '*.go': No such file or directory\n2\n"},
		{"quoted", `echo '*' "*.txt" \*`, "* *.txt *\n"},
		{"half quoted", `echo "a".*`, "a.txt\n"},
		{"dot files", "echo .*; echo .h*", ".hidden\n.hidden\n"},
		{"directories", "echo */", "d/ e/\n"},
		{"through directories", "echo */*", "d/f d/g e/h\n"},
		{"absolute", "echo /w/d/*", "/w/d/f /w/d/g\n"},
		{"in the middle", "echo /w/*/f", "/w/d/f\n"},
		{"a literal last component must exist", "echo */h", "e/h\n"},
		{"rm", "rm -f *.txt; echo *", "c.md d e\n"},
		{"$? is not a pattern", "false; echo $?*", "1*\n"},
		{"an unclosed bracket", "echo [", "[\n"},
	}
	runScriptCases(t, "mkdir -p /w/d /w/e; cd /w; touch a.txt b.txt c.md .hidden d/f d/g e/h", tests)
}
