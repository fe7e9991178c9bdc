//go:build !linux && !wasip1

package main

import "io/fs"

func sysinfo(fi fs.FileInfo) sysStat { return sysStat{} }
