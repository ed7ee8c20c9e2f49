package swarm

import (
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/moby/moby/client"
)

// ReadOnlyError is a change refused because the engine was opened read-only.
// Nothing was sent to the engine.
type ReadOnlyError struct {
	What string // the action ("scale") or the request ("DELETE /v1.51/services/x")
}

func (e *ReadOnlyError) Error() string {
	return fmt.Sprintf("read-only: %s refused; nothing was changed", e.What)
}

// ExitCode is 2: the operator asked for read-only and then for a change.
func (e *ReadOnlyError) ExitCode() int { return exitBadInput }

const exitBadInput = 2

// guard is an engine's read-only switch and audit hook. Its zero value is
// an ordinary read-write engine with no audit.
type guard struct {
	readOnly bool
	mu       sync.Mutex
	audit    func(AuditEvent)
	made     map[changeKey]madeChange // changes awaiting their verdict line
}

// ReadOnly reports an engine opened with ConnectOptions.ReadOnly.
func (e *Engine) ReadOnly() bool { return e.guard.readOnly }

// refuseWrite is the first line of every mutating Engine method: the
// friendly refusal, naming the action, before any request (reads included).
func (e *Engine) refuseWrite(action string) error {
	if e.guard.readOnly {
		return &ReadOnlyError{What: action}
	}
	return nil
}

// readOnlyClientOpts are the client options of a read-only engine: a request
// hook that refuses every request that could change something, whichever
// code path sends it through the client. It is the backstop under
// refuseWrite. The list calls of decode_fetch.go send their GETs over an
// HTTP client of their own, which the hook does not see, so getList makes
// the same check itself (they are reads: TestListRequestsAreReads).
func readOnlyClientOpts(readOnly bool) []client.Opt {
	if !readOnly {
		return nil
	}
	return []client.Opt{client.WithHTTPRequestHook(refuseMutatingRequest)}
}

func refuseMutatingRequest(req *http.Request) error {
	if isReadRequest(req.Method, req.URL.Path) {
		return nil
	}
	return &ReadOnlyError{What: req.Method + " " + req.URL.Path}
}

// isReadRequest: GET and HEAD only, and none that open a stream into a
// container. attach and exec can run anything inside it, and attach has a
// GET form (attach/ws), so they are refused by path whatever the method.
func isReadRequest(method, path string) bool {
	if method != http.MethodGet && method != http.MethodHead {
		return false
	}
	for _, seg := range strings.Split(path, "/") {
		if seg == "attach" || seg == "exec" {
			return false
		}
	}
	return true
}
