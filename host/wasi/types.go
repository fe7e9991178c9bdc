package wasi

// Constants of wasi_snapshot_preview1.witx.

// Rights (the `rights` flags, u64).
const (
	RightFdDatasync Rights = 1 << iota
	RightFdRead
	RightFdSeek
	RightFdFdstatSetFlags
	RightFdSync
	RightFdTell
	RightFdWrite
	RightFdAdvise
	RightFdAllocate
	RightPathCreateDirectory
	RightPathCreateFile
	RightPathLinkSource
	RightPathLinkTarget
	RightPathOpen
	RightFdReaddir
	RightPathReadlink
	RightPathRenameSource
	RightPathRenameTarget
	RightPathFilestatGet
	RightPathFilestatSetSize
	RightPathFilestatSetTimes
	RightFdFilestatGet
	RightFdFilestatSetSize
	RightFdFilestatSetTimes
	RightPathSymlink
	RightPathRemoveDirectory
	RightPathUnlinkFile
	RightPollFdReadwrite
	RightSockShutdown
	RightSockAccept

	// RightsAll is every right preview1 defines.
	RightsAll = RightSockAccept<<1 - 1
)

// Rights is the capability set of a WASI descriptor.
type Rights uint64

// Rights of the descriptors a host makes without path_open.
const (
	// RightsDirBase is what a preopened directory may do itself.
	RightsDirBase = RightFdFdstatSetFlags | RightFdSync | RightFdAdvise |
		RightPathCreateDirectory | RightPathCreateFile | RightPathLinkSource |
		RightPathLinkTarget | RightPathOpen | RightFdReaddir | RightPathReadlink |
		RightPathRenameSource | RightPathRenameTarget | RightPathFilestatGet |
		RightPathFilestatSetSize | RightPathFilestatSetTimes | RightFdFilestatGet |
		RightFdFilestatSetTimes | RightPathSymlink | RightPathRemoveDirectory |
		RightPathUnlinkFile | RightFdSeek | RightFdTell
	// RightsStdio is what stdin, stdout and stderr may do.
	RightsStdio = RightFdRead | RightFdWrite | RightFdFdstatSetFlags |
		RightFdFilestatGet | RightPollFdReadwrite | RightFdSync | RightFdDatasync |
		RightFdSeek | RightFdTell // lseek on a stream is ESPIPE, as Linux says
)

// Filetype (u8).
const (
	FiletypeUnknown         uint8 = 0
	FiletypeBlockDevice     uint8 = 1
	FiletypeCharacterDevice uint8 = 2
	FiletypeDirectory       uint8 = 3
	FiletypeRegularFile     uint8 = 4
	FiletypeSocketDgram     uint8 = 5
	FiletypeSocketStream    uint8 = 6
	FiletypeSymbolicLink    uint8 = 7
)

// Fdflags (u16).
const (
	FdflagAppend   uint16 = 1 << 0
	FdflagDsync    uint16 = 1 << 1
	FdflagNonblock uint16 = 1 << 2
	FdflagRsync    uint16 = 1 << 3
	FdflagSync     uint16 = 1 << 4
)

// Oflags (u16) of path_open.
const (
	OflagCreat     uint16 = 1 << 0
	OflagDirectory uint16 = 1 << 1
	OflagExcl      uint16 = 1 << 2
	OflagTrunc     uint16 = 1 << 3
)

// Lookupflags (u32).
const LookupSymlinkFollow uint32 = 1 << 0

// Fstflags (u16) of the *_set_times calls.
const (
	FstflagAtim    uint16 = 1 << 0
	FstflagAtimNow uint16 = 1 << 1
	FstflagMtim    uint16 = 1 << 2
	FstflagMtimNow uint16 = 1 << 3
)

// Whence (u8 in witx, an i32 on the wire, which fd_seek checks whole):
// the same numbers as Linux's SEEK_*.
const (
	WhenceSet uint32 = 0
	WhenceCur uint32 = 1
	WhenceEnd uint32 = 2
)

// Clockid (u32).
const (
	ClockRealtime         uint32 = 0
	ClockMonotonic        uint32 = 1
	ClockProcessCputimeID uint32 = 2
	ClockThreadCputimeID  uint32 = 3
)

// Eventtype (u8) and subscription/event flags.
const (
	EventtypeClock   uint8 = 0
	EventtypeFdRead  uint8 = 1
	EventtypeFdWrite uint8 = 2

	SubscriptionClockAbstime uint16 = 1 << 0
	EventFdReadwriteHangup   uint16 = 1 << 0
)

// Advice (u8) of fd_advise.
const (
	AdviceNormal uint8 = iota
	AdviceSequential
	AdviceRandom
	AdviceWillneed
	AdviceDontneed
	AdviceNoreuse
)

// Sizes of the structures the ABI reads and writes.
const (
	sizeIovec        = 8
	sizeFdstat       = 24
	sizeFilestat     = 64
	sizePrestat      = 8
	sizeDirent       = 24
	sizeSubscription = 48
	sizeEvent        = 32
)
