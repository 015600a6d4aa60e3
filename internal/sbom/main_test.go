package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSBOMOfThisTestBinary(t *testing.T) {
	// The test binary is a Go binary with build info, like a release's.
	self, err := os.Executable()
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, run(self, "", &out))
	var doc document
	require.NoError(t, json.Unmarshal(out.Bytes(), &doc))
	assert.Equal(t, "CycloneDX", doc.BOMFormat)
	assert.Equal(t, "1.5", doc.SpecVersion)
	assert.Regexp(t, `^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, doc.SerialNumber)
	assert.Equal(t, filepath.Base(self), doc.Metadata.Component.Name)
	require.Len(t, doc.Metadata.Component.Hashes, 1)
	assert.Len(t, doc.Metadata.Component.Hashes[0].Content, 64)
	require.NotEmpty(t, doc.Components)
	assert.Equal(t, "stdlib", doc.Components[0].Name)

	again := filepath.Join(t.TempDir(), "sbom.json")
	require.NoError(t, run(self, again, nil))
	written, err := os.ReadFile(again)
	require.NoError(t, err)
	assert.Equal(t, out.String(), string(written), "the same binary gives the same document")
}

func TestSBOMNotAGoBinary(t *testing.T) {
	p := filepath.Join(t.TempDir(), "script")
	require.NoError(t, os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755))
	assert.Error(t, run(p, "", nil))
	assert.ErrorIs(t, run(filepath.Join(t.TempDir(), "gone"), "", nil), os.ErrNotExist)
}

func TestSBOMModules(t *testing.T) {
	bi := &debug.BuildInfo{
		GoVersion: "go1.26.8",
		Main:      debug.Module{Path: "github.com/wasmbox/wasmbox", Version: "v0.1.0"},
		Deps: []*debug.Module{
			{Path: "github.com/tetratelabs/wazero", Version: "v1.12.0", Sum: "h1:abc="},
			{Path: "example.com/old", Version: "v1.0.0", Replace: &debug.Module{Path: "example.com/fork", Version: "v1.0.1"}},
		},
		Settings: []debug.BuildSetting{{Key: "GOOS", Value: "linux"}, {Key: "CGO_ENABLED", Value: "0"}},
	}
	doc := bom(bi, "wasmbox", [32]byte{1, 2, 3})
	main := "pkg:golang/github.com/wasmbox/wasmbox@v0.1.0"
	assert.Equal(t, main, doc.Metadata.Component.PURL)
	assert.Contains(t, doc.Metadata.Component.Properties, property{"go:build:GOOS", "linux"})
	assert.Equal(t, []component{
		{Type: "library", BOMRef: "pkg:golang/stdlib@1.26.8", Name: "stdlib", Version: "1.26.8", PURL: "pkg:golang/stdlib@1.26.8",
			Properties: []property{{"go:toolchain", "go1.26.8"}}},
		{Type: "library", BOMRef: "pkg:golang/github.com/tetratelabs/wazero@v1.12.0", Name: "github.com/tetratelabs/wazero", Version: "v1.12.0",
			PURL: "pkg:golang/github.com/tetratelabs/wazero@v1.12.0", Properties: []property{{"go:module-sum", "h1:abc="}}},
		{Type: "library", BOMRef: "pkg:golang/example.com/fork@v1.0.1", Name: "example.com/fork", Version: "v1.0.1",
			PURL: "pkg:golang/example.com/fork@v1.0.1", Properties: []property{{"go:replaces", "example.com/old@v1.0.0"}}},
	}, doc.Components)
	assert.Equal(t, []dependency{{Ref: main, DependsOn: []string{
		"pkg:golang/stdlib@1.26.8", "pkg:golang/github.com/tetratelabs/wazero@v1.12.0", "pkg:golang/example.com/fork@v1.0.1",
	}}}, doc.Dependencies)
}
