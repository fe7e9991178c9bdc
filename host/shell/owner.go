package shell

import (
	"strings"

	"github.com/vfscope/vfscope/vfs"
)

// chown's OWNER[:GROUP], as gnulib's userspec.c (parse_user_spec_warn)
// reads it against a passwd and a group file that hold only root (the
// VFS has neither file: see userName).

// lookupUser is getpwnam: root's uid and login group.
func lookupUser(name string) (uid, gid uint32, ok bool) {
	if name == "root" {
		return 0, 0, true
	}
	return 0, 0, false
}

// lookupGroup is getgrnam.
func lookupGroup(name string) (uint32, bool) {
	if name == "root" {
		return 0, true
	}
	return 0, false
}

// numericID is xstrtoul with no suffixes, then the range check
// userspec.c makes: spaces, an optional +, decimal digits, at most
// 2^32-2 ((uid_t) -1 is no id).
func numericID(s string) (uint32, bool) {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	s = strings.TrimPrefix(s, "+")
	return parseID(s)
}

// parseOwner returns the ids spec names (vfs.NoID for one it leaves
// alone), whether the '.' separator was used (chown warns), or the
// error chown prints before the quoted spec.
func parseOwner(spec string) (uid, gid uint32, dot bool, bad string) {
	colon := strings.IndexByte(spec, ':')
	uid, gid, bad = parseOwnerWith(spec, colon)
	if colon < 0 && bad != "" {
		// No colon and no such owner: try the dot as the separator,
		// the compatible extension userspec.c tries second.
		if d := strings.IndexByte(spec, '.'); d >= 0 {
			if u, g, b := parseOwnerWith(spec, d); b == "" {
				return u, g, true, ""
			}
		}
	}
	return uid, gid, false, bad
}

// parseOwnerWith is parse_with_separator: sep is the separator's index
// in spec, or -1.
func parseOwnerWith(spec string, sep int) (uid, gid uint32, bad string) {
	uid, gid = vfs.NoID, vfs.NoID
	u, g := spec, ""
	hasG := false
	if sep >= 0 {
		u, g = spec[:sep], spec[sep+1:]
		hasG = g != ""
	}
	if u != "" {
		var id, login uint32
		found := false
		if !strings.HasPrefix(u, "+") {
			id, login, found = lookupUser(u)
		}
		switch {
		case found:
			uid = id
			if sep >= 0 && !hasG {
				gid = login // "root:": the login group
			}
		case sep >= 0 && !hasG:
			// "5:" asks for the login group of a user there is no
			// entry for.
			return 0, 0, "invalid spec"
		default:
			var ok bool
			if uid, ok = numericID(u); !ok {
				return 0, 0, "invalid user"
			}
		}
	}
	if hasG {
		id, found := uint32(0), false
		if !strings.HasPrefix(g, "+") {
			id, found = lookupGroup(g)
		}
		if !found {
			var ok bool
			if id, ok = numericID(g); !ok {
				return 0, 0, "invalid group"
			}
		}
		gid = id
	}
	return uid, gid, ""
}

// newOwnerSpec is how chown -v names the owner it sets: the user and
// group as spec gave them (parse_user_spec's names), and for "user:"
// the login group's name.
func newOwnerSpec(spec string, dot bool, uid, gid uint32) string {
	sep := byte(':')
	if dot {
		sep = '.'
	}
	u, g, hasSep := strings.Cut(spec, string(sep))
	if hasSep && g == "" && gid != vfs.NoID {
		g = ownerName(gid)
	}
	return ownerSpec(u, g, uid != vfs.NoID, gid != vfs.NoID)
}

// ownerSpec is chown-core.c's user_group_str: "user:group", "user" or
// "group", as the user and the group are set.
func ownerSpec(user, group string, hasUser, hasGroup bool) string {
	switch {
	case hasUser && hasGroup:
		return user + ":" + group
	case hasUser:
		return user
	case hasGroup:
		return group
	}
	return ""
}
