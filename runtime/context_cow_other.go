//go:build !linux

package runtime

import "errors"

// baseMapping is Linux-only (memfd); elsewhere contexts write the base
// image into each memory.
type baseMapping struct{ view []byte }

func newBaseMapping([]byte) (*baseMapping, error) {
	return nil, errors.New("copy-on-write context memory needs Linux")
}

func (b *baseMapping) mapOver([]byte) error { return errors.New("unreachable") }

func (b *baseMapping) close() {}
