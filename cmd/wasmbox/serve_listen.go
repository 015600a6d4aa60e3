package main

import (
	"errors"
	"net"
	"os"
	"strings"
)

// unixPrefix marks a unix-socket address: `serve --addr unix:PATH`,
// `run --server unix:PATH`.
const unixPrefix = "unix:"

// serveListen listens on addr: HOST:PORT over TCP, or unix:PATH on a unix
// socket that only this user may connect to (mode 0600; put it in a
// directory of your own to close the moment between its creation and the
// chmod). A socket file left behind by a server that is gone is replaced;
// one a server still listens on is not.
func serveListen(addr string) (net.Listener, error) {
	path, ok := strings.CutPrefix(addr, unixPrefix)
	if !ok {
		return net.Listen("tcp", addr)
	}
	if path == "" {
		return nil, errors.New("listen unix: empty socket path after unix:")
	}
	removeStaleSocket(path)
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, err
	}
	return ln, nil
}

// removeStaleSocket removes the socket file at path when nothing answers
// on it.
func removeStaleSocket(path string) {
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode()&os.ModeSocket == 0 {
		return
	}
	if c, err := net.Dial("unix", path); err == nil {
		c.Close()
		return
	}
	os.Remove(path)
}
