package shell

import "github.com/vfscope/vfscope/vfs"

// Symbolic and octal modes as chmod(1) and mkdir -m read them: gnulib's
// modechange.c (mode_compile, mode_adjust).

const chmodModeBits = vfs.S_ISUID | vfs.S_ISGID | vfs.S_ISVTX | 0o777

const (
	modeOrdinary = iota
	modeCopyExisting
	modeXIfAnyX
)

// modeChange is struct mode_change: one operation of a mode string.
type modeChange struct {
	op        byte   // '=', '+' or '-'
	flag      int    // modeOrdinary, modeCopyExisting, modeXIfAnyX
	affected  uint32 // bits the who letters name; 0 when none (umask applies)
	value     uint32
	mentioned uint32
}

// compileMode is mode_compile(): false if s is not a valid mode.
func compileMode(s string) ([]modeChange, bool) {
	if s == "" {
		return nil, false
	}
	if s[0] >= '0' && s[0] <= '7' {
		var m uint32
		for i := 0; i < len(s); i++ {
			if s[i] < '0' || s[i] > '7' {
				return nil, false
			}
			m = m*8 + uint32(s[i]-'0')
			if m > chmodModeBits {
				return nil, false
			}
		}
		mentioned := uint32(chmodModeBits)
		if len(s) < 5 {
			mentioned = m&(vfs.S_ISUID|vfs.S_ISGID) | vfs.S_ISVTX | 0o777
		}
		return []modeChange{{op: '=', affected: chmodModeBits, value: m, mentioned: mentioned}}, true
	}
	var out []modeChange
	i := 0
	for {
		var affected uint32
	who:
		for ; i < len(s); i++ {
			switch s[i] {
			case 'u':
				affected |= vfs.S_ISUID | 0o700
			case 'g':
				affected |= vfs.S_ISGID | 0o070
			case 'o':
				affected |= vfs.S_ISVTX | 0o007
			case 'a':
				affected |= chmodModeBits
			default:
				break who
			}
		}
		if i >= len(s) || (s[i] != '=' && s[i] != '+' && s[i] != '-') {
			return nil, false
		}
		for i < len(s) && (s[i] == '=' || s[i] == '+' || s[i] == '-') {
			op := s[i]
			i++
			var value uint32
			flag := modeOrdinary
			if i < len(s) && (s[i] == 'u' || s[i] == 'g' || s[i] == 'o') {
				switch s[i] {
				case 'u':
					value = 0o700
				case 'g':
					value = 0o070
				case 'o':
					value = 0o007
				}
				flag = modeCopyExisting
				i++
			} else {
			perms:
				for ; i < len(s); i++ {
					switch s[i] {
					case 'r':
						value |= 0o444
					case 'w':
						value |= 0o222
					case 'x':
						value |= 0o111
					case 'X':
						flag = modeXIfAnyX
					case 's':
						value |= vfs.S_ISUID | vfs.S_ISGID
					case 't':
						value |= vfs.S_ISVTX
					default:
						break perms
					}
				}
			}
			mentioned := value
			if affected != 0 {
				mentioned = affected & value
			}
			out = append(out, modeChange{op: op, flag: flag, affected: affected, value: value, mentioned: mentioned})
		}
		if i == len(s) {
			return out, true
		}
		if s[i] != ',' {
			return nil, false
		}
		i++
	}
}

// adjustMode is mode_adjust(): the permission bits after applying
// changes to old.
func adjustMode(old uint32, dir bool, umask uint32, changes []modeChange) uint32 {
	m := old & chmodModeBits
	for _, c := range changes {
		var omit uint32
		if dir {
			omit = (vfs.S_ISUID | vfs.S_ISGID) &^ c.mentioned
		}
		value := c.value
		switch c.flag {
		case modeCopyExisting:
			value &= m
			var spread uint32
			if value&0o444 != 0 {
				spread |= 0o444
			}
			if value&0o222 != 0 {
				spread |= 0o222
			}
			if value&0o111 != 0 {
				spread |= 0o111
			}
			value |= spread
		case modeXIfAnyX:
			if m&0o111 != 0 || dir {
				value |= 0o111
			}
		}
		if c.affected != 0 {
			value &= c.affected &^ omit
		} else {
			value &= ^umask &^ omit
		}
		switch c.op {
		case '=':
			var preserved uint32
			if c.affected != 0 {
				preserved = ^c.affected
			}
			preserved |= omit
			m = m&preserved | value
		case '+':
			m |= value
		case '-':
			m &^= value
		}
	}
	return m & chmodModeBits
}
