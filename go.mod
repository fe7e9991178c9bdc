module github.com/vfscope/vfscope

go 1.25.0

require (
	github.com/go-git/go-billy/v5 v5.9.2
	github.com/spf13/afero v1.15.0
	github.com/tetratelabs/wazero v1.11.0
)

require (
	golang.org/x/sys v0.46.0 // indirect
	golang.org/x/text v0.39.0 // indirect
)
