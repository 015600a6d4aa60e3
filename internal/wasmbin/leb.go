package wasmbin

import "errors"

// uleb128 decodes an unsigned LEB128 number of at most 32 bits, returning the
// value and the number of bytes it took.
func uleb128(b []byte) (uint64, int, error) {
	var v uint64
	for i := 0; i < 5; i++ {
		if i >= len(b) {
			return 0, 0, errors.New("truncated LEB128 number")
		}
		v |= uint64(b[i]&0x7f) << (7 * i)
		if b[i]&0x80 == 0 {
			return v, i + 1, nil
		}
	}
	return 0, 0, errors.New("LEB128 number longer than 32 bits")
}

// appendULEB128 appends v as unsigned LEB128.
func appendULEB128(b []byte, v uint64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v != 0 {
			c |= 0x80
		}
		b = append(b, c)
		if v == 0 {
			return b
		}
	}
}

// appendSLEB128 appends v as signed LEB128.
func appendSLEB128(b []byte, v int64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

// skipLEB128 returns how many bytes the LEB128 number (signed or not, at
// most 64 bits) at the start of b takes.
func skipLEB128(b []byte) (int, error) {
	for i := 0; i < 10 && i < len(b); i++ {
		if b[i]&0x80 == 0 {
			return i + 1, nil
		}
	}
	return 0, errors.New("truncated or over-long LEB128 number")
}
