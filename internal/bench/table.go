package bench

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// WriteTable writes the report as a text table: a header that says what
// ran where, one row per workload and variant, a legend and the notes.
func WriteTable(w io.Writer, r *Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "wasmbox bench: %d runs per workload and variant after %d warm-up; %d CPUs (%s/%s); concurrency %d\n",
		r.Runs, r.WarmupRuns, r.CPUs, r.GOOS, r.GOARCH, r.Concurrency)
	if r.Native != nil {
		fmt.Fprintf(&b, "native:  Python %s at %s\n", r.Native.Version, r.Native.Path)
	}
	fmt.Fprintf(&b, "wasmbox: CPython %s (wasm32-wasi), strict policy\n\n", r.GuestPython)

	c := r.Concurrency
	rows := [][]string{{"WORKLOAD", "VARIANT", "MEDIAN", "P95", "RUNS/S@1", fmt.Sprintf("RUNS/S@%d", c), "MEDIAN×NATIVE", fmt.Sprintf("RUNS/S@%d×NATIVE", c)}}
	for _, x := range r.Results {
		if x.Skipped != "" {
			rows = append(rows, []string{x.Workload, x.Variant, x.Skipped})
			continue
		}
		medianRatio, rateRatio := "-", "-"
		if x.VsNative != nil {
			medianRatio = fmt.Sprintf("%.2f", x.VsNative.Median)
			rateRatio = fmt.Sprintf("%.2f", x.VsNative.ConcurrentRunsPerSec)
		}
		rows = append(rows, []string{
			x.Workload, x.Variant,
			fmt.Sprintf("%.1fms", x.MedianMs), fmt.Sprintf("%.1fms", x.P95Ms),
			fmt.Sprintf("%.1f", x.RunsPerSec), fmt.Sprintf("%.1f", x.ConcurrentRunsPerSec),
			medianRatio, rateRatio,
		})
	}
	writeColumns(&b, rows, 2)
	if len(r.Contexts) > 0 {
		b.WriteString("\ncode contexts (a dict of 10^5 entries and an open file for fork, save and resume):\n")
		rows := [][]string{{"OP", "MEDIAN", "P95", "SAVED"}}
		for _, x := range r.Contexts {
			saved := "-"
			if x.SavedBytes > 0 {
				saved = fmt.Sprintf("%.1fMiB", float64(x.SavedBytes)/(1<<20))
			}
			rows = append(rows, []string{x.Op, fmt.Sprintf("%.1fms", x.MedianMs), fmt.Sprintf("%.1fms", x.P95Ms), saved})
		}
		writeColumns(&b, rows, 1)
	}

	b.WriteString("\n×NATIVE: the figure divided by native's on the same workload in this run;\n" +
		"a median above 1, or runs/s below 1, is slower than native.\n")
	width := 0
	for _, v := range r.Variants {
		width = max(width, utf8.RuneCountInString(v.Name))
	}
	for _, v := range r.Variants {
		fmt.Fprintf(&b, "  %-*s %s\n", width, v.Name, v.Description)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeColumns writes rows as aligned columns two spaces apart: the first
// left columns aligned left, the others right. A row with fewer cells than
// the first ends in a cell that spans the rest of the line (a skipped
// result's reason): written as it is, and left out of the widths.
func writeColumns(b *strings.Builder, rows [][]string, left int) {
	var widths []int
	spans := func(row []string, i int) bool { return len(row) < len(rows[0]) && i == len(row)-1 }
	for _, row := range rows {
		for i, cell := range row {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			if !spans(row, i) {
				widths[i] = max(widths[i], utf8.RuneCountInString(cell))
			}
		}
	}
	for _, row := range rows {
		var line strings.Builder
		for i, cell := range row {
			pad := strings.Repeat(" ", max(0, widths[i]-utf8.RuneCountInString(cell)))
			if i > 0 {
				line.WriteString("  ")
			}
			if spans(row, i) {
				line.WriteString(cell)
			} else if i < left {
				line.WriteString(cell + pad)
			} else {
				line.WriteString(pad + cell)
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
}
