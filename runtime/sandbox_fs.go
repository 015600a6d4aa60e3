package runtime

import experimentalsys "github.com/tetratelabs/wazero/experimental/sys"

// FS returns the sandbox's filesystem as wazero's experimental sys.FS, the
// interface the guest's WASI calls reach: for host code that works on the
// same files (the shell and its utilities). Paths are relative to the
// sandbox's root whether or not they start with "/"; ".." never climbs above
// it, and symbolic links resolve inside it. Every method is safe for
// concurrent use. Experimental: the type may change with wazero's.
func (s *Sandbox) FS() experimentalsys.FS { return s.fs }
