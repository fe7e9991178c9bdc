package live

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Hosts is the set of names a server bound to this machine answers to,
// checked against each request's Host header. It closes the server to
// DNS rebinding: a page of a hostile site whose name is made to resolve
// to 127.0.0.1 reaches the server with that name in Host (and a
// matching Origin), so the Origin check alone would let its script read
// the VFS. Such a request names a host the server does not know, and is
// refused. This is what servers meant for localhost do (Jupyter, the Go
// debugger, webpack-dev-server's allowedHosts).
//
// Always allowed: localhost and its subdomains (*.localhost, which
// resolvers answer with loopback addresses, RFC 6761), and every
// loopback address (127.0.0.0/8, ::1). Added by NewHosts: the host the
// server listens on and names the operator allows. An address literal
// cannot be rebound, so adding one is only a matter of reachability.
// Ports are not compared: a rebound page already reaches the port the
// server listens on.
//
// A nil *Hosts allows the loopback names only.
type Hosts struct {
	names map[string]bool // normalised host names and addresses
}

// NewHosts returns the loopback names plus the host part of addr (the
// HOST:PORT the server listens on, if any) and each of extra (a host
// name or address, as ParseHost takes it).
func NewHosts(addr string, extra ...string) (*Hosts, error) {
	h := &Hosts{names: map[string]bool{}}
	if addr != "" {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, fmt.Errorf("listen address %q: %v", addr, err)
		}
		if host != "" {
			h.names[normalHost(host)] = true
		}
	}
	for _, e := range extra {
		n, err := ParseHost(e)
		if err != nil {
			return nil, err
		}
		h.names[n] = true
	}
	return h, nil
}

// ParseHost checks an allowed host as an operator writes it: a name
// (letters, digits, '-', '_' and dots) or an IP address, IPv6 with or
// without brackets, and no port. It returns the normalised form.
func ParseHost(s string) (string, error) {
	bad := func(why string) (string, error) {
		return "", fmt.Errorf("host %q: %s", s, why)
	}
	v := s
	if strings.HasPrefix(v, "[") && strings.HasSuffix(v, "]") {
		v = v[1 : len(v)-1]
	}
	if a, err := netip.ParseAddr(v); err == nil {
		return a.Unmap().String(), nil
	}
	if v == "" || strings.Trim(v, ".") == "" {
		return bad("want a host name or an IP address")
	}
	if _, port, err := net.SplitHostPort(s); err == nil && port != "" && strings.Trim(port, "0123456789") == "" {
		return bad("want a host name or an IP address, without a port")
	}
	for _, c := range v {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return bad(fmt.Sprintf("%q is not allowed in a host name", c))
		}
	}
	return normalHost(v), nil
}

// normalHost lower-cases a host name and drops its final dot
// ("localhost." is localhost); an address becomes its canonical text
// (an IPv4-mapped IPv6 address its IPv4 form).
func normalHost(s string) string {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap().String()
	}
	return strings.TrimSuffix(strings.ToLower(s), ".")
}

// hostOf is the host part of a Host header (host, host:port, [v6] or
// [v6]:port), normalised; ok is false for a malformed one.
func hostOf(header string) (host string, ok bool) {
	h := header
	if sh, _, err := net.SplitHostPort(header); err == nil {
		h = sh
	} else if strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") {
		h = h[1 : len(h)-1]
	} else if strings.Contains(h, ":") {
		return "", false // an IPv6 address must be in brackets
	}
	if h == "" {
		return "", false
	}
	return normalHost(h), true
}

// isLoopback reports whether a normalised host is a loopback name or
// address.
func isLoopback(host string) bool {
	if a, err := netip.ParseAddr(host); err == nil {
		return a.IsLoopback()
	}
	return host == "localhost" || strings.HasSuffix(host, ".localhost")
}

// Allows reports whether a request whose Host header is header may be
// answered.
func (h *Hosts) Allows(header string) bool {
	host, ok := hostOf(header)
	if !ok {
		return false
	}
	if isLoopback(host) {
		return true
	}
	return h != nil && h.names[host]
}

// Check answers 403 to a request for a host h does not allow, saying
// why, and reports whether the request may go on.
func (h *Hosts) Check(w http.ResponseWriter, r *http.Request) bool {
	if h.Allows(r.Host) {
		return true
	}
	name, _ := hostOf(r.Host)
	msg := fmt.Sprintf("vfscope: refused: this server answers only to localhost, loopback addresses and the host it listens on, not to Host %q.\n"+
		"A name of another site that resolves to this machine is how DNS rebinding reaches local servers.\n", r.Host)
	if name != "" {
		msg += fmt.Sprintf("If %s is a name of this machine, start vfscope with --allow-host %s.\n", name, name)
	}
	http.Error(w, msg, http.StatusForbidden)
	return false
}

// Handler serves next only for requests to a host h allows; others get
// 403. It guards the pages as well as the websocket: a page served to a
// rebound name would run its script against the server.
func (h *Hosts) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h.Check(w, r) {
			next.ServeHTTP(w, r)
		}
	})
}
