package coreutils

// diffOp is one line of an edit script: '=' both, '-' only in a, '+'
// only in b; i and j index the lines.
type diffOp struct {
	kind byte
	i, j int
}

// maxEdits bounds the Myers search; past it the rest is replaced whole,
// still a correct (if not minimal) diff.
const maxEdits = 4000

// diffLines computes an edit script from a to b (Myers' algorithm, after
// trimming the common prefix and suffix).
func diffLines(a, b []string) []diffOp {
	var ops []diffOp
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		ops = append(ops, diffOp{'=', pre, pre})
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	ops = append(ops, myers(a[pre:len(a)-suf], b[pre:len(b)-suf], pre)...)
	for k := suf; k > 0; k-- {
		ops = append(ops, diffOp{'=', len(a) - k, len(b) - k})
	}
	return ops
}

// myers diffs a and b, whose indexes start at off in both files.
func myers(a, b []string, off int) []diffOp {
	n, m := len(a), len(b)
	limit := n + m
	if limit > maxEdits {
		limit = maxEdits
	}
	v := make([]int, 2*limit+2)
	var trace [][]int
	found := -1
	for dist := 0; dist <= limit && found < 0; dist++ {
		trace = append(trace, append([]int(nil), v...))
		for k := -dist; k <= dist; k += 2 {
			var x int
			if k == -dist || k != dist && v[limit+k-1] < v[limit+k+1] {
				x = v[limit+k+1]
			} else {
				x = v[limit+k-1] + 1
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x, y = x+1, y+1
			}
			v[limit+k] = x
			if x >= n && y >= m {
				found = dist
				break
			}
		}
	}
	if found < 0 {
		var ops []diffOp
		for i := range a {
			ops = append(ops, diffOp{'-', off + i, off})
		}
		for j := range b {
			ops = append(ops, diffOp{'+', off + n, off + j})
		}
		return ops
	}
	// Walk back through the trace.
	var rev []diffOp
	x, y := n, m
	for dist := found; dist > 0; dist-- {
		vv := trace[dist]
		k := x - y
		var prevK int
		if k == -dist || k != dist && vv[limit+k-1] < vv[limit+k+1] {
			prevK = k + 1
		} else {
			prevK = k - 1
		}
		prevX := vv[limit+prevK]
		prevY := prevX - prevK
		for x > prevX && y > prevY {
			x, y = x-1, y-1
			rev = append(rev, diffOp{'=', off + x, off + y})
		}
		if x == prevX {
			y--
			rev = append(rev, diffOp{'+', off + x, off + y})
		} else {
			x--
			rev = append(rev, diffOp{'-', off + x, off + y})
		}
	}
	for x > 0 && y > 0 {
		x, y = x-1, y-1
		rev = append(rev, diffOp{'=', off + x, off + y})
	}
	ops := make([]diffOp, len(rev))
	for i, op := range rev {
		ops[len(rev)-1-i] = op
	}
	return ops
}
