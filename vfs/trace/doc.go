// Package trace holds the typed events and whole-state snapshots of
// vfscope, their one JSON schema ("vfscope.trace/2", documented in
// docs/trace-schema.md), and the bus that carries events from the VFS
// to its listeners (the `vfscope run --trace` file writer, the websocket
// live view, the wasm bridge and the playground).
//
// It is the lowest layer of the project: it imports only the standard
// library, and the VFS (package vfs) and the lock primitives (vfs/lock)
// fill in its types. It knows nothing of dentries or inodes beyond the
// numbers and names an event carries.
//
// # Cost
//
// The VFS keeps a pointer to its Bus that is nil while nobody listens,
// so an event site costs one load and one predictable branch when
// tracing is idle, and allocates nothing. Event is one flat struct
// copied by value into each listener's ring, so emitting allocates
// nothing either, except what a kind carries by reference (the held
// locks of a method call, a validator report).
//
// # Listeners never block the VFS
//
// Each Listener has a bounded ring. When it is full the event is dropped
// and counted; as soon as there is room again the listener receives a
// Lost event carrying the count, then the stream resumes. A listener
// that sees Lost (or a growing Listener.Lost()) must
// resynchronise from a snapshot: apply the snapshot, then only events
// whose Seq is greater than the snapshot's Seq.
//
// # Lock order
//
//	Bus.activeMu (serialises the calls of the SetOnActive callback:
//	taken by Subscribe and Listener.Close, after they released Bus.mu,
//	with no lock of the bus or of the VFS held)
//	  the callback's locks (the VFS's: VFS.tasksMu, to switch its
//	  tasks' checked paths)
//	    Bus.mu, as below (an event emitted under them)
//	Bus.mu (leaf for the VFS: taken inside any VFS lock by Emit; never
//	held while Bus.activeMu is taken)
//	  Listener.mu
package trace
