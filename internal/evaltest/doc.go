// Package evaltest holds the eval tester apart from the sandbox: reading
// labelled cases, the Python harness that calls the function inside the
// guest (harness.py), the host's end of it (Run and its conductor, which
// hand the guest one case at a time and judge each reply: what a case
// expects never enters the guest), the report types, and the JUnit and
// text renderings of a report. The runtime package starts the harness's
// instances (a Launcher) and offers the public API.
package evaltest
