// Command mkimage writes wasmbox's container image as an OCI layout tar
// (see package ociimage). `make image` runs it.
//
//	go run ./internal/ociimage/mkimage -binary bin/linux_amd64/wasmbox -arch amd64 -version 0.1.0 -o bin/wasmbox-oci.tar
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/wasmbox/wasmbox/internal/ociimage"
)

func main() {
	var cfg ociimage.Config
	flag.StringVar(&cfg.Binary, "binary", "", "static linux wasmbox binary (CGO_ENABLED=0)")
	flag.StringVar(&cfg.Arch, "arch", "amd64", "its architecture: amd64 or arm64")
	flag.StringVar(&cfg.Version, "version", "", "the image's version label and tag")
	out := flag.String("o", "", "the OCI layout tar to write")
	flag.Parse()
	if *out == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: mkimage -binary FILE -arch ARCH -version V -o OUT.tar")
		os.Exit(2)
	}
	img, err := ociimage.Build(cfg)
	if err == nil {
		err = ociimage.WriteLayoutTar(img, cfg.Version, *out)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "mkimage:", err)
		os.Exit(1)
	}
	digest, _ := img.Digest()
	fmt.Printf("wrote %s: wasmbox:%s linux/%s %s\n", *out, cfg.Version, cfg.Arch, digest)
}
