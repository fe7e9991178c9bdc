package shell

import (
	"testing"
	"time"
)

// TestLsTime: ls -l shows the time of day for the last six months up to
// now, a file stamped in the VFS clock's current tick included, and the
// year for older files and files from the future, as coreutils does.
func TestLsTime(t *testing.T) {
	now := time.Date(2026, 11, 21, 15, 4, 5, 0, time.UTC)
	s := &Shell{}
	for _, c := range []struct {
		name string
		when time.Time
		want string
	}{
		{"this tick", now, "Nov 21 15:04"},
		{"a second ago", now.Add(-time.Second), "Nov 21 15:04"},
		{"five months ago", now.AddDate(0, -5, 0), "Jun 21 15:04"},
		{"seven months ago", now.AddDate(0, -7, 0), "Apr 21  2026"},
		{"an hour ahead", now.Add(time.Hour), "Nov 21  2026"},
	} {
		if got := s.lsTime(c.when.UnixNano(), now); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
