package storesim

import "hash/crc32"

// CRC-32 combination after zlib's crc32_combine: the CRC of A‖B from the
// CRCs of A and B and B's length, so that a gzip page's trailer costs a few
// polynomial products instead of a pass over 200 KB. Polynomials are in
// zlib's reflected bit order.

// multmodp returns a(x)·b(x) modulo the CRC-32 polynomial.
func multmodp(a, b uint32) uint32 {
	if a == 0 {
		return 0 // the loop below ends on a's lowest set bit
	}
	m := uint32(1) << 31
	var p uint32
	for {
		if a&m != 0 {
			p ^= b
			if a&(m-1) == 0 {
				break
			}
		}
		m >>= 1
		if b&1 != 0 {
			b = b>>1 ^ crc32.IEEE
		} else {
			b >>= 1
		}
	}
	return p
}

// x2nTable[k] is x^(2^k) modulo the polynomial; built once, never modified.
var x2nTable = func() (t [32]uint32) {
	p := uint32(1) << 30 // x^1
	t[0] = p
	for n := 1; n < 32; n++ {
		p = multmodp(p, p)
		t[n] = p
	}
	return t
}()

// xPow8n returns x^(8·n) modulo the polynomial: the operator that shifts a
// CRC past n bytes of zeros.
func xPow8n(n int) uint32 {
	p := uint32(1) << 31 // x^0
	k := 3
	for u := uint64(n); u != 0; u >>= 1 {
		if u&1 != 0 {
			p = multmodp(x2nTable[k&31], p)
		}
		k++
	}
	return p
}

// crcCombine returns the CRC of A‖B given crcA, crcB and shiftB = xPow8n(len(B)).
func crcCombine(crcA, crcB, shiftB uint32) uint32 {
	return multmodp(shiftB, crcA) ^ crcB
}
