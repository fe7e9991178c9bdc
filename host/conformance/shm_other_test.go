//go:build !linux

package conformance

func shmTmpfs() string { return "no /dev/shm tmpfs on this system" }
