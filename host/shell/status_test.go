package shell_test

import "testing"

// TestSetStatus checks that a status the host sets (a WASI guest's exit
// status) is what "$?", Status, Split, `exit` and set -e see next, as
// after a command of the shell's own.
func TestSetStatus(t *testing.T) {
	tests := []struct {
		name    string
		errExit bool
		before  string // run before SetStatus
		set     int
		after   string // run after SetStatus
		want    string // output of after
		status  int    // Status() after SetStatus
		exited  bool   // Exited() after SetStatus
		final   int    // Status() after running after
	}{
		{name: "$? is the status set", before: "true", set: 1, after: "echo $?", want: "1\n", status: 1, final: 0},
		{name: "0 after a failure", before: "false", set: 0, after: "echo $?", want: "0\n", status: 0},
		{name: "127, command not found's", set: 127, after: `echo "s=$?"`, want: "s=127\n", status: 127},
		{name: "modulo 256 as exit(3)", set: 257, after: "echo $?", want: "1\n", status: 1},
		{name: "negative wraps as exit -1", set: -1, after: "echo $?", want: "255\n", status: 255},
		{name: "&& sees it", set: 0, after: "true && echo yes; false || echo no", want: "yes\nno\n", status: 0},
		{name: "exit without a status keeps it", set: 3, after: "exit", status: 3, final: 3},
		{name: "the next command replaces it", set: 5, after: "true; echo $?", want: "0\n", status: 5},
		{name: "set -e: a failure stops the shell", errExit: true, set: 2, after: "echo never", status: 2, exited: true, final: 2},
		{name: "set -e: success goes on", errExit: true, set: 0, after: "echo on", want: "on\n", status: 0},
		{name: "an exited shell keeps its status", before: "exit 4", set: 0, after: "echo never", status: 4, exited: true, final: 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sh, _, out := newShell(t, "")
			sh.ErrExit = tc.errExit
			sh.RunString(tc.before)
			out.Reset()
			sh.SetStatus(tc.set)
			if got := sh.Status(); got != tc.status {
				t.Errorf("Status() = %d, want %d", got, tc.status)
			}
			if got := sh.Exited(); got != tc.exited {
				t.Errorf("Exited() = %v, want %v", got, tc.exited)
			}
			final := sh.RunString(tc.after)
			if got := out.String(); got != tc.want {
				t.Errorf("%q printed %q, want %q", tc.after, got, tc.want)
			}
			if final != tc.final {
				t.Errorf("status after %q = %d, want %d", tc.after, final, tc.final)
			}
		})
	}
}

// TestSetStatusSplit checks that Split expands "$?" to the status set,
// as a host splitting the next guest line needs.
func TestSetStatusSplit(t *testing.T) {
	sh, _, _ := newShell(t, "")
	sh.SetStatus(42)
	cmds, err := sh.Split(`busybox echo $? "x$?" '$?' > f$?`)
	if err != nil {
		t.Fatal(err)
	}
	if len(cmds) != 1 {
		t.Fatalf("%d commands, want 1", len(cmds))
	}
	got := cmds[0]
	want := []string{"busybox", "echo", "42", "x42", "$?"}
	if len(got.Args) != len(want) {
		t.Fatalf("args %q, want %q", got.Args, want)
	}
	for i := range want {
		if got.Args[i] != want[i] {
			t.Errorf("args %q, want %q", got.Args, want)
			break
		}
	}
	if len(got.Redirects) != 1 || got.Redirects[0].Target != "f42" {
		t.Errorf("redirects %+v, want one to f42", got.Redirects)
	}
}

// TestStatusExpansion: "$?" and "${?}" are the last status, in and out
// of double quotes; other forms stay as they are (the outputs are
// dash's).
func TestStatusExpansion(t *testing.T) {
	tests := []scriptCase{
		{"$?", "false; echo $?", "1\n"},
		{"${?}", "false; echo ${?}", "1\n"},
		{"${?} quoted", `false; echo "s=${?}x"`, "s=1x\n"},
		{"${?} single-quoted", `echo '${?}'`, "${?}\n"},
		{"${?} escaped", `echo "\${?}"`, "${?}\n"},
		{"both", "false; echo $?${?}", "11\n"},
	}
	runScriptCases(t, "", tests)
}
