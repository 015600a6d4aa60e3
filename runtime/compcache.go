package runtime

import (
	"bufio"
	"io"
	"reflect"
	"unsafe"

	"github.com/tetratelabs/wazero"
)

// wazero's compilation cache on disk hands wazero an *os.File per entry,
// from which wazero reads the compiled module's function offsets eight
// bytes at a time: some ten thousand read(2) calls for our interpreter in
// every process that loads it. wazero.CompilationCache cannot be
// implemented outside wazero (NewRuntimeWithConfig asserts its own type),
// so newCompilationCache makes wazero's own and puts a buffer between it
// and its files: the cache's private entry store is wrapped, through
// reflection, in one whose entries are read through a bufio.Reader. The
// files, their names and their format stay wazero's.
//
// The wrapping is checked, not assumed: when wazero's cache no longer has
// the field, or the field's type changes, the cache is used as wazero made
// it (bufferedEntries reports false and a test fails).

// entryBufferSize is the buffer in front of a cache entry. Reads at least
// this long (the machine code, in one piece) go to the file directly.
const entryBufferSize = 64 << 10

// newCompilationCache returns wazero's compilation cache in dir, its
// entries read through a buffer when that can be arranged.
func newCompilationCache(dir string) (wazero.CompilationCache, error) {
	c, err := wazero.NewCompilationCacheWithDir(dir)
	if err != nil {
		return nil, err
	}
	bufferEntries(c)
	return c, nil
}

// entryStore is the method set of wazero's internal filecache.Cache.
type entryStore interface {
	Get(key [32]byte) (content io.ReadCloser, ok bool, err error)
	Add(key [32]byte, content io.Reader) error
	Delete(key [32]byte) error
}

// bufferedStore is an entryStore whose entries are read through a buffer.
type bufferedStore struct {
	entryStore
}

// Get opens the entry and puts a buffer in front of it.
func (s bufferedStore) Get(key [32]byte) (io.ReadCloser, bool, error) {
	f, ok, err := s.entryStore.Get(key)
	if !ok || err != nil {
		return f, ok, err
	}
	return fullReader{bufio.NewReaderSize(f, entryBufferSize), f}, true, nil
}

// fullReader reads as io.ReadFull does: wazero takes a short Read of an
// eight-byte field as the end of the entry, and a bufio.Reader returns
// short reads where its buffer ends.
type fullReader struct {
	r *bufio.Reader
	io.Closer
}

func (f fullReader) Read(p []byte) (int, error) {
	return io.ReadFull(f.r, p)
}

// bufferEntries wraps the entry store of c, a cache made by
// wazero.NewCompilationCacheWithDir, in a bufferedStore. It reports
// whether it did.
func bufferEntries(c wazero.CompilationCache) bool {
	v := reflect.ValueOf(c)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return false
	}
	field := v.Elem().FieldByName("fileCache")
	if !field.IsValid() || field.Kind() != reflect.Interface || field.IsNil() {
		return false
	}
	field = reflect.NewAt(field.Type(), unsafe.Pointer(field.UnsafeAddr())).Elem()
	inner, ok := field.Interface().(entryStore)
	if !ok {
		return false
	}
	wrapped := reflect.ValueOf(bufferedStore{inner})
	if !wrapped.Type().Implements(field.Type()) {
		return false
	}
	field.Set(wrapped)
	return true
}
