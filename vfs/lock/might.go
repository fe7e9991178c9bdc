package lock

// MightLock is lockdep's might_lock() and might_lock_read(): with
// validation on, the checks and the dependencies of o acquiring l in mode
// (Exclusive or Shared) and releasing it at once, without taking it and
// without trace events. It is for a path that may take l but usually
// does not (a copy from the task's memory may fault, and a fault takes
// mmap_lock), so that the order the path implies is learned from every
// run of it, not only from the runs that take l. With validation off it
// does nothing.
func (o *Owner) MightLock(l Lock, mode Mode) {
	if o.v == nil {
		return
	}
	h := o.v.before(o, l, l.Subclass(), mode, callerSite())
	o.v.acquired(o, h)
	o.v.release(o, l, mode, false)
}
