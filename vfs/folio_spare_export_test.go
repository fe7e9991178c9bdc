package vfs

// Test-only views of a folio embedded in its inode (SetSpareFolio).

// FolioEmbedded reports whether f lives inside its inode.
func FolioEmbedded(f *Folio) bool { return f.flags.Load()&folioEmbedded != 0 }

// FolioHasPage reports whether f still holds its page.
func FolioHasPage(f *Folio) bool { return f.data != nil }
