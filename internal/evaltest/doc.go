// Package evaltest holds the sandbox-independent parts of the eval tester:
// reading labelled cases, the Python harness that runs them inside the guest,
// the report types, and the JUnit and text renderings of a report.
package evaltest
