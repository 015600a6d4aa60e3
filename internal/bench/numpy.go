package bench

// numpyWorkloads are the workloads that need numpy: a fresh run whose
// time is mostly `import numpy`, and three computations. Each prints
// figures that are exact on any build (sums of small integers, sizes,
// rounded magnitudes), so that a wasm32 build without BLAS and a native
// one print the same. A variant whose interpreter has no numpy skips them.
func numpyWorkloads() []*Workload {
	out := []*Workload{
		{
			Name:        "numpy-import",
			Description: "a fresh run including import numpy",
			Script:      []byte("import numpy as np\nprint(int(np.arange(10).sum()))\n"),
			Stdout:      "45\n",
		},
		{
			Name:        "numpy-matmul",
			Description: "import numpy; a 300×300 float64 matrix product",
			Script: []byte(`import numpy as np
a = (np.arange(300 * 300, dtype=np.float64) % 7).reshape(300, 300)
print(int((a @ a).sum()))
`),
			Stdout: "242994290\n",
		},
		{
			Name:        "numpy-sort",
			Description: "import numpy; sort 10^6 random float64s",
			Script: []byte(`import numpy as np
s = np.sort(np.random.default_rng(1).random(10**6))
print(s.size, bool((s[1:] >= s[:-1]).all()))
`),
			Stdout: "1000000 True\n",
		},
		{
			Name:        "numpy-fft",
			Description: "import numpy; an FFT of 2^20 points",
			Script: []byte(`import numpy as np
f = np.fft.fft(np.arange(2**20) % 16 * 1.0)
print(round(f[0].real), round(abs(f[2**16])))
`),
			Stdout: "7864320 2687412\n",
		},
	}
	for _, w := range out {
		w.Needs = []string{"numpy"}
		w.AllowImports = []string{"numpy"}
	}
	return out
}
