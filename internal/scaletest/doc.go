// Package scaletest checks wasmbox deployed past one process: its tests
// start several `wasmbox serve` replicas behind HAProxy, configured by
// deploy/haproxy/haproxy.cfg, and check how requests spread, which stick to
// a replica, and what a client sees when a replica dies. They also check
// the Kubernetes manifests in deploy/kubernetes.
//
// The HAProxy test runs only when WASMBOX_SCALE_BIN names a wasmbox binary
// (`make scale-test` sets it and installs HAProxy); the checks of the
// configuration and the manifests always run. The package holds tests only.
package scaletest
