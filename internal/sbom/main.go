// Command sbom writes a CycloneDX 1.5 JSON SBOM of a Go binary from the
// build information the Go toolchain embeds in it (what `go version -m`
// prints): the main module, every module linked in, the Go standard
// library and the build settings. goreleaser runs it for each binary of a
// release (.goreleaser.yaml, sboms); it needs nothing but Go, where
// goreleaser's default, syft, is a separate download.
//
//	go run ./internal/sbom -o wasmbox.cdx.json dist/wasmbox_linux_amd64_v1/wasmbox
package main

import (
	"crypto/sha256"
	"debug/buildinfo"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
)

func main() {
	out := flag.String("o", "", "file to write (default stdout)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: sbom [-o FILE] BINARY")
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *out, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "sbom:", err)
		os.Exit(1)
	}
}

func run(binary, out string, stdout io.Writer) error {
	data, err := os.ReadFile(binary)
	if err != nil {
		return err
	}
	bi, err := buildinfo.ReadFile(binary)
	if err != nil {
		return fmt.Errorf("%s: %w", binary, err)
	}
	doc, err := json.MarshalIndent(bom(bi, filepath.Base(binary), sha256.Sum256(data)), "", "  ")
	if err != nil {
		return err
	}
	doc = append(doc, '\n')
	if out == "" {
		_, err = stdout.Write(doc)
		return err
	}
	return os.WriteFile(out, doc, 0o644)
}

// The CycloneDX 1.5 shapes this command writes.
type (
	document struct {
		BOMFormat    string       `json:"bomFormat"`
		SpecVersion  string       `json:"specVersion"`
		SerialNumber string       `json:"serialNumber"`
		Version      int          `json:"version"`
		Metadata     metadata     `json:"metadata"`
		Components   []component  `json:"components"`
		Dependencies []dependency `json:"dependencies"`
	}
	metadata struct {
		Tools     tools     `json:"tools"`
		Component component `json:"component"`
	}
	tools struct {
		Components []component `json:"components"`
	}
	component struct {
		Type       string     `json:"type"`
		BOMRef     string     `json:"bom-ref,omitempty"`
		Name       string     `json:"name"`
		Version    string     `json:"version,omitempty"`
		PURL       string     `json:"purl,omitempty"`
		Hashes     []hash     `json:"hashes,omitempty"`
		Properties []property `json:"properties,omitempty"`
	}
	hash struct {
		Alg     string `json:"alg"`
		Content string `json:"content"`
	}
	property struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	}
	dependency struct {
		Ref       string   `json:"ref"`
		DependsOn []string `json:"dependsOn"`
	}
)

// purl is the package URL of a Go module version.
func purl(path, version string) string {
	return "pkg:golang/" + path + "@" + version
}

// moduleComponent describes one linked module (its replacement, if any,
// is what was built).
func moduleComponent(m *debug.Module) component {
	var props []property
	if m.Replace != nil {
		props = append(props, property{"go:replaces", m.Path + "@" + m.Version})
		m = m.Replace
	}
	if m.Sum != "" {
		props = append(props, property{"go:module-sum", m.Sum})
	}
	ref := purl(m.Path, m.Version)
	return component{Type: "library", BOMRef: ref, Name: m.Path, Version: m.Version, PURL: ref, Properties: props}
}

// bom is the SBOM of a binary called name with build info bi and SHA-256
// sum. Its serial number derives from the sum, so the same binary gives
// the same document.
func bom(bi *buildinfo.BuildInfo, name string, sum [32]byte) document {
	mainVersion := bi.Main.Version
	if mainVersion == "" {
		mainVersion = "(devel)"
	}
	mainRef := purl(bi.Main.Path, mainVersion)
	var settings []property
	for _, s := range bi.Settings {
		settings = append(settings, property{"go:build:" + s.Key, s.Value})
	}
	std := strings.TrimPrefix(bi.GoVersion, "go")
	stdRef := purl("stdlib", std)
	components := []component{{Type: "library", BOMRef: stdRef, Name: "stdlib", Version: std, PURL: stdRef,
		Properties: []property{{"go:toolchain", bi.GoVersion}}}}
	deps := []string{stdRef}
	for _, m := range bi.Deps {
		c := moduleComponent(m)
		components = append(components, c)
		deps = append(deps, c.BOMRef)
	}
	u := sum[:16]
	u[6], u[8] = u[6]&0x0f|0x50, u[8]&0x3f|0x80 // a name-based (version 5 layout) UUID
	return document{
		BOMFormat: "CycloneDX", SpecVersion: "1.5", Version: 1,
		SerialNumber: fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16]),
		Metadata: metadata{
			Tools: tools{Components: []component{{Type: "application", Name: "wasmbox internal/sbom"}}},
			Component: component{Type: "application", BOMRef: mainRef, Name: name, Version: mainVersion, PURL: mainRef,
				Hashes: []hash{{"SHA-256", fmt.Sprintf("%x", sum)}}, Properties: settings},
		},
		Components:   components,
		Dependencies: []dependency{{Ref: mainRef, DependsOn: deps}},
	}
}
